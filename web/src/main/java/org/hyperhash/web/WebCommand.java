package org.hyperhash.web;

import com.typesafe.config.Config;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.daemon.DaemonRunner;
import org.hyperhash.daemon.Redact;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code hh web}: the public miner pages and JSON API. Exit codes: 0 stopped, 1 failed to start, 2 configuration error. */
@Command(name = "web", mixinStandardHelpOptions = true,
        description = "Public miner pages (/, /address/<addr>) and the read-only JSON API /api/v1 over the ledger.")
public final class WebCommand implements Callable<Integer> {
    @Mixin
    DaemonOptions opts;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        WebConfig cfg;
        try {
            Config c = opts.load(WebConfig.ENV_PREFIX, WebConfig.ROOT);
            if (opts.printConfig) {
                out.println(Redact.render(c));
                out.flush();
                return 0;
            }
            cfg = WebConfig.from(c);
        } catch (DaemonConfig.ConfigError e) {
            out.println("configuration error: " + e.getMessage());
            out.flush();
            return 2;
        }
        return DaemonRunner.runUntilSignalled("web", new WebDaemon(cfg, InstantSource.system()), Duration.ofSeconds(10));
    }
}
