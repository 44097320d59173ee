package org.hyperhash.tp;

import org.hyperhash.daemon.Checks;
import org.hyperhash.daemon.DaemonLauncher;
import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.daemon.DaemonRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code hh tp [--devnet] [--config FILE] [--set path=value]... [--print-config | --check-config]}: the template
 * provider daemon. Environment overrides use the prefix {@code TP_} ({@code TP_SV2_AUTHORITY__SECRET__KEY=...}).
 * {@code network} must be set (or {@code --devnet} given): no toy chain starts by default.
 * Exit codes as {@link DaemonRunner}: 0 stopped, 1 failed to start, 2 configuration error.
 */
@Command(name = "tp", mixinStandardHelpOptions = true,
        description = {"Template provider: Bitcoin Core (or the embedded devnet) in, SV2 Template Distribution out.",
            "network must be set (mainnet, testnet4, signet, regtest or devnet), or --devnet given."})
public final class TpCommand implements Callable<Integer> {
    /** Prefix of environment overrides. */
    public static final String ENV_PREFIX = "TP";

    @Mixin
    DaemonOptions options;

    @Option(names = "--devnet", description = "Use the embedded DEVNET chain (network = devnet, backend = devnet). Default: ${DEFAULT-VALUE}.")
    boolean devnet;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<String> extra = devnet ? List.of("network=devnet", "backend=devnet") : List.of();
        return DaemonLauncher.run("hh-tp", options, ENV_PREFIX, TpConfig.ROOT, extra, spec(),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** The daemon's wiring (parse, listen addresses, start-time checks, creation): also {@code hh stack}'s. */
    public static DaemonLauncher.Spec<TpConfig> spec() {
        return DaemonLauncher.Spec.of(TpConfig::from,
                c -> {
                    Map<String, List<InetSocketAddress>> m = new LinkedHashMap<>();
                    m.put("sv2.listen", c.listen());
                    m.put("admin.listen", List.of(c.adminListen()));
                    return m;
                },
                c -> {
                    List<String> ok = new ArrayList<>();
                    ok.add(TpDaemon.checkKeys(c));
                    if (c.backend() == TpConfig.Backend.BITCOIND) {
                        ok.add(Checks.url("bitcoind", "hyperhash.tp.bitcoind.url", c.rpc().url().toString()));
                    }
                    return ok;
                },
                c -> new TpDaemon(c, InstantSource.system()), TpConfig::shutdownDeadline);
    }
}
