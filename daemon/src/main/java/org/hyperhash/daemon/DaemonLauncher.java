package org.hyperhash.daemon;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one start sequence of every daemon command: load strictly, require an explicit network, validate into the
 * typed config, then {@code --print-config}, {@code --check-config} (ports free, reachability) or run.
 * Exit codes: 0 ok, 1 failed to start / a check failed, 2 configuration error (systemd does not restart on 2).
 */
public final class DaemonLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonLauncher.class);

    private DaemonLauncher() {
    }

    /** What a daemon plugs into the sequence. */
    public interface Spec<C> {
        /** Validates into the typed config; {@link DaemonConfig.ConfigError} names the key. */
        C parse(Config config);

        /** Config key (relative) → the addresses the daemon will listen on. */
        Map<String, List<InetSocketAddress>> listens(C config);

        /**
         * Extra start-time checks (ledger reachable, bitcoind answering ...): one line per check passed;
         * throws with the reason when one fails. Default: none.
         */
        default List<String> checks(C config) throws Exception {
            return List.of();
        }

        Daemon create(C config);

        Duration shutdownDeadline(C config);

        /** A spec from its parts (a command's wiring in one expression). */
        static <C> Spec<C> of(java.util.function.Function<Config, C> parse,
                              java.util.function.Function<C, Map<String, List<InetSocketAddress>>> listens,
                              CheckList<C> checks, java.util.function.Function<C, Daemon> create,
                              java.util.function.Function<C, Duration> shutdownDeadline) {
            return new Spec<>() {
                @Override
                public C parse(Config config) {
                    return parse.apply(config);
                }

                @Override
                public Map<String, List<InetSocketAddress>> listens(C config) {
                    return listens.apply(config);
                }

                @Override
                public List<String> checks(C config) throws Exception {
                    return checks.run(config);
                }

                @Override
                public Daemon create(C config) {
                    return create.apply(config);
                }

                @Override
                public Duration shutdownDeadline(C config) {
                    return shutdownDeadline.apply(config);
                }
            };
        }
    }

    /** The start-time checks of a {@link Spec}. */
    @FunctionalInterface
    public interface CheckList<C> {
        List<String> run(C config) throws Exception;
    }

    /**
     * @param extraSets {@code --set} style assignments the command adds before the operator's (e.g. {@code --devnet})
     */
    public static <C> int run(String name, DaemonOptions o, String envPrefix, String rootPath, List<String> extraSets,
                              Spec<C> spec, PrintWriter out, PrintWriter err) {
        C cfg;
        Config c;
        try {
            Prepared<C> p = prepare(o, envPrefix, rootPath, extraSets, spec);
            c = p.raw();
            cfg = p.config();
        } catch (DaemonConfig.ConfigError e) {
            err.println(name + ": configuration error: " + e.getMessage());
            err.flush();
            LOG.error("{}: configuration error: {}", name, e.getMessage());
            return 2;
        }
        if (o.printConfig) {
            out.println(Redact.render(c.atPath(rootPath)));
            out.flush();
            return 0;
        }
        if (o.checkConfig) {
            try {
                Ports.requireFree(rootPath, spec.listens(cfg));
                out.println(name + ": listen addresses free");
                for (String line : spec.checks(cfg)) {
                    out.println(name + ": " + line);
                }
            } catch (DaemonConfig.ConfigError e) {
                err.println(name + ": configuration error: " + e.getMessage());
                err.flush();
                return 2;
            } catch (Exception e) {
                err.println(name + ": check failed: " + Redact.text(e.getMessage() == null ? e.toString() : e.getMessage()));
                err.flush();
                return 1;
            }
            out.println(name + ": configuration OK (" + rootPath + ", network " + (c.hasPath("network") ? c.getString("network") : "-")
                    + ")");
            out.flush();
            return 0;
        }
        try {
            Ports.requireFree(rootPath, spec.listens(cfg));
        } catch (DaemonConfig.ConfigError e) { // e.g. wrong socket activation variables
            err.println(name + ": configuration error: " + e.getMessage());
            err.flush();
            LOG.error("{}: configuration error: {}", name, e.getMessage());
            return 2;
        } catch (Ports.BindFailure e) {
            LOG.error("{}: failed to start: {}", name, e.getMessage());
            err.println(name + ": failed to start: " + e.getMessage());
            err.flush();
            return 1;
        }
        LOG.info("{}: effective config:\n{}", name, Redact.render(c.atPath(rootPath)));
        Daemon d;
        try {
            d = spec.create(cfg);
        } catch (DaemonConfig.ConfigError e) {
            LOG.error("{}: configuration error: {}", name, e.getMessage());
            return 2;
        }
        return DaemonRunner.runUntilSignalled(name, d, spec.shutdownDeadline(cfg));
    }

    /** A daemon's configuration after {@link #prepare}: the merged HOCON and the validated, typed config. */
    public record Prepared<C>(Config raw, C config) {
    }

    /**
     * The load step of {@link #run} on its own (also used by {@code hh stack} for each daemon it runs): the file,
     * the command's extra assignments, the operator's {@code --set}s and the environment, loaded strictly (unknown
     * keys fail), an explicit network required, then validated by {@code spec}.
     *
     * @throws DaemonConfig.ConfigError naming the key that is wrong
     */
    public static <C> Prepared<C> prepare(DaemonOptions o, String envPrefix, String rootPath, List<String> extraSets,
                                          Spec<C> spec) {
        List<String> sets = new ArrayList<>(extraSets);
        sets.addAll(o.sets);
        DaemonConfig.Loaded loaded = DaemonConfig.loadDetailed(o.config, sets, envPrefix, rootPath, System.getenv());
        requireExplicitNetwork(loaded, rootPath, envPrefix);
        Config c = loaded.config();
        return new Prepared<>(c, spec.parse(c));
    }

    /**
     * A daemon whose reference config has a {@code network} refuses to start when the operator did not set one:
     * the reference value only serves embedded use and tests, and must never start a toy chain in production.
     */
    public static void requireExplicitNetwork(DaemonConfig.Loaded loaded, String rootPath, String envPrefix) {
        Config reference = ConfigFactory.defaultReference();
        if (reference.hasPath(rootPath + ".network") && !loaded.isExplicit("network")) {
            throw new DaemonConfig.ConfigError(rootPath + ".network is not set: set it to mainnet, testnet4, signet, regtest or "
                    + "devnet in the config file (" + rootPath + ".network = mainnet), with " + envPrefix + "_NETWORK or with "
                    + "--set network=...; devnet (the toy chain) runs only when asked for");
        }
    }
}
