package org.hyperhash.web;

import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hyperhash.daemon.DaemonLauncher;
import org.hyperhash.daemon.DaemonOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code hh web}: the public miner pages and JSON API, through the same launch sequence as every daemon (strict keys,
 * explicit network, {@code --print-config}, {@code --check-config}). Exit codes: 0 stopped, 1 failed to start,
 * 2 configuration error.
 */
@Command(name = "web", mixinStandardHelpOptions = true,
        description = {"Public miner pages (/, /address/<addr>) and the read-only JSON API /api/v1 over the ledger.",
            "network must be set (mainnet, testnet4, signet, regtest or devnet)."})
public final class WebCommand implements Callable<Integer> {
    @Mixin
    DaemonOptions opts;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return DaemonLauncher.run("hh-web", opts, WebConfig.ENV_PREFIX, WebConfig.ROOT, List.of(), spec(),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** The daemon's wiring (parse, listen addresses, start-time checks, creation): also {@code hh stack}'s. */
    public static DaemonLauncher.Spec<WebConfig> spec() {
        return DaemonLauncher.Spec.of(WebConfig::from,
                c -> {
                    Map<String, List<java.net.InetSocketAddress>> m = new LinkedHashMap<>();
                    m.put("listen", List.of(c.listen()));
                    m.put("admin.listen", List.of(c.adminListen()));
                    return m;
                },
                c -> List.of(),
                c -> new WebDaemon(c, InstantSource.system()), c -> Duration.ofSeconds(10));
    }
}
