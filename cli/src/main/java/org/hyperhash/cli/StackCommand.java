package org.hyperhash.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.DaemonGroup;
import org.hyperhash.daemon.DaemonLauncher;
import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.daemon.DaemonRunner;
import org.hyperhash.daemon.Ports;
import org.hyperhash.daemon.Redact;
import org.hyperhash.daemon.SocketActivation;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.hypernode.HyperNodeConfig;
import org.hyperhash.tp.TpCommand;
import org.hyperhash.tp.TpConfig;
import org.hyperhash.translator.TranslatorCommand;
import org.hyperhash.translator.TranslatorConfig;
import org.hyperhash.translator.TranslatorDaemon;
import org.hyperhash.treasury.TreasuryCommand;
import org.hyperhash.treasury.TreasuryConfig;
import org.hyperhash.web.WebCommand;
import org.hyperhash.web.WebConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hh stack --tp FILE (--pool FILE | --jdc FILE) --translator FILE [--treasury FILE] [--web FILE]}: the SV1
 * path's daemons in one JVM, for a small box where three JVMs cost too much memory (one JVM's fixed footprint,
 * libjvm, class data, metaspace, code cache, GC, is paid once instead of three times; bench/README.md).
 *
 * <p>Each daemon is exactly what its own command runs: the same wiring ({@link TpCommand#spec()} ...), its own config
 * file validated strictly (unknown keys fail, the message names the file and key), its own environment prefix, ports,
 * admin endpoint (/v1/health, /v1/status, /metrics) and metrics registry. They start in order, tp -> pool (or jdc)
 * -> translator -> treasury -> web, each one's readiness awaited (bounded by {@code --ready-timeout}) before the next,
 * and stop in reverse (the pool still tells miners to Reconnect). A daemon that fails to start, or whose event loops
 * stop answering later, ends the process with exit 1 and its name in the message (systemd restarts the process).
 */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = {"The SV1 path in one process (a small box): tp -> pool (or jdc) -> translator [-> treasury -> web].",
            "Each daemon reads its own config file, with its own ports, admin endpoint and metrics; they start in that",
            "order, each ready before the next, and stop in reverse. A daemon option without FILE (--tp alone): that",
            "daemon from its defaults and environment variables (TP_..., POOL_...), as in containers.",
            "When to use it and what it costs: docs/operations.md, \"One process on a small box\"."})
public final class StackCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(StackCommand.class);

    @Option(names = "--tp", paramLabel = "FILE", arity = "0..1", fallbackValue = NO_FILE, required = true, description = "The template provider's config (as hh tp --config).")
    String tp;

    @Option(names = "--pool", paramLabel = "FILE", arity = "0..1", fallbackValue = NO_FILE, description = "The pool's config (as hh pool --config). Exactly one of --pool and --jdc.")
    String pool;

    @Option(names = "--jdc", paramLabel = "FILE", arity = "0..1", fallbackValue = NO_FILE, description = "A Hyper Node's config (as hh jdc --config) instead of a pool.")
    String jdc;

    @Option(names = "--translator", paramLabel = "FILE", arity = "0..1", fallbackValue = NO_FILE, required = true, description = "The translator's config (as hh translator --config).")
    String translator;

    @Option(names = "--treasury", paramLabel = "FILE", arity = "0..1", fallbackValue = NO_FILE, description = "Optional: the treasury's config (as hh treasury run --config).")
    String treasury;

    @Option(names = "--web", paramLabel = "FILE", arity = "0..1", fallbackValue = NO_FILE, description = "Optional: the miners' web page's config (as hh web --config).")
    String web;

    @Option(names = "--ready-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for a daemon's readiness (/v1/ready) before starting the next anyway. Default: ${DEFAULT-VALUE}.")
    int readyTimeoutSeconds;

    @Option(names = "--check-config", description = "Validate every file and run each daemon's start-time checks (ports free, "
            + "ledger reachable ...) without starting; exit 0 ok, 1 a check failed, 2 configuration error. Default: ${DEFAULT-VALUE}.")
    boolean checkConfig;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * The value of a daemon option given without a file ({@code --tp} alone): that daemon from its defaults and its
     * environment variables only ({@code TP_...}), as {@code hh tp} without {@code --config} (containers).
     */
    static final String NO_FILE = "(environment)";

    private static Path file(String option) {
        return option == null || option.equals(NO_FILE) ? null : Path.of(option);
    }

    /** The sockets one hh-stack process can be passed by systemd: the pool's SV2 port and the translator's SV1 port. */
    static final Set<String> SOCKET_NAMES = Set.of(PoolDaemon.SV2_SOCKET_NAME, TranslatorDaemon.SV1_SOCKET_NAME);

    /** One daemon of the stack: its name, file, config root, environment prefix and wiring. */
    private record Member<C>(String name, String file, String root, String envPrefix, DaemonLauncher.Spec<C> spec) {
        DaemonLauncher.Prepared<C> prepare() {
            DaemonOptions o = new DaemonOptions();
            o.config = StackCommand.file(file);
            return DaemonLauncher.prepare(o, envPrefix, root, List.of(), spec);
        }
    }

    /** A member with its validated config. */
    private record Loaded<C>(Member<C> member, DaemonLauncher.Prepared<C> prepared) {
        Map<String, List<InetSocketAddress>> listens() {
            return member.spec().listens(prepared.config());
        }

        List<String> checks() throws Exception {
            return member.spec().checks(prepared.config());
        }

        org.hyperhash.daemon.Daemon create() {
            return member.spec().create(prepared.config());
        }

        Duration shutdownDeadline() {
            return member.spec().shutdownDeadline(prepared.config());
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((pool == null) == (jdc == null)) {
            err.println("hh stack: give exactly one of --pool FILE and --jdc FILE");
            err.flush();
            return 2;
        }
        List<SocketActivation.Inherited> passed;
        try {
            passed = SocketActivation.fromEnvironment(SOCKET_NAMES);
        } catch (DaemonConfig.ConfigError e) {
            err.println("hh stack: configuration error: " + e.getMessage());
            err.flush();
            return 2;
        }
        List<Member<?>> members = new ArrayList<>();
        members.add(new Member<>("tp", tp, TpConfig.ROOT, TpCommand.ENV_PREFIX, TpCommand.spec()));
        if (pool != null) {
            members.add(new Member<>("pool", pool, PoolConfig.ROOT, PoolConfig.ENV_PREFIX, PoolCommand.spec(passed)));
        } else {
            members.add(new Member<>("jdc", jdc, HyperNodeConfig.ROOT, HyperNodeConfig.ENV_PREFIX, JdcCommand.spec()));
        }
        members.add(new Member<>("translator", translator, TranslatorConfig.ROOT, TranslatorConfig.ENV_PREFIX,
                TranslatorCommand.spec(passed)));
        if (treasury != null) {
            members.add(new Member<>("treasury", treasury, TreasuryConfig.ROOT, TreasuryConfig.ENV_PREFIX, TreasuryCommand.spec()));
        }
        if (web != null) {
            members.add(new Member<>("web", web, WebConfig.ROOT, WebConfig.ENV_PREFIX, WebCommand.spec()));
        }

        // every file first, every error reported: an operator fixing three files wants all three messages at once
        List<Loaded<?>> loaded = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Member<?> m : members) {
            try {
                loaded.add(load(m));
            } catch (DaemonConfig.ConfigError e) {
                errors.add(m.name() + " (" + m.file() + "): configuration error: " + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            for (String e : errors) {
                err.println("hh stack: " + e);
                LOG.error("hh stack: {}", e);
            }
            err.flush();
            return 2;
        }
        try {
            requireDistinctPorts(loaded);
            for (Loaded<?> l : loaded) {
                try {
                    Ports.requireFree(l.member().root(), l.listens());
                } catch (Ports.BindFailure e) {
                    throw new Ports.BindFailure(l.member().name() + " (" + l.member().file() + "): " + e.getMessage());
                }
            }
        } catch (DaemonConfig.ConfigError e) {
            err.println("hh stack: configuration error: " + e.getMessage());
            err.flush();
            return 2;
        } catch (Ports.BindFailure e) {
            err.println("hh stack: " + (checkConfig ? "check failed: " : "failed to start: ") + e.getMessage());
            err.flush();
            return 1;
        }
        if (checkConfig) {
            return check(loaded, out, err);
        }
        DaemonGroup group = new DaemonGroup("hh-stack", Duration.ofSeconds(readyTimeoutSeconds));
        for (Loaded<?> l : loaded) {
            LOG.info("hh stack: {} ({}): effective config:\n{}", l.member().name(), l.member().file(),
                    Redact.render(l.prepared().raw().atPath(l.member().root())));
            group.add(l.member().name(), l::create, l.shutdownDeadline());
        }
        // without a systemd watchdog nothing else would notice one wedged daemon in a process that still runs
        group.watch(Duration.ofSeconds(10), 3, dead -> {
            LOG.error("hh stack: {} stopped answering (its event loops did not run a probe for 30 s): exiting", dead);
            System.exit(1);
        });
        return DaemonRunner.runUntilSignalled("hh-stack", group, group.shutdownDeadline());
    }

    private static <C> Loaded<C> load(Member<C> m) {
        return new Loaded<>(m, m.prepare());
    }

    /** Two daemons configured on one address would each pass their own port check and the second would fail to bind. */
    private static void requireDistinctPorts(List<Loaded<?>> loaded) {
        Map<String, String> owner = new LinkedHashMap<>();
        for (Loaded<?> l : loaded) {
            for (Map.Entry<String, List<InetSocketAddress>> e : l.listens().entrySet()) {
                for (InetSocketAddress a : e.getValue()) {
                    if (a == null || a.getPort() == 0) {
                        continue;
                    }
                    String key = l.member().root() + "." + e.getKey() + " (" + l.member().file() + ")";
                    String before = owner.putIfAbsent(String.valueOf(a.getPort()), key);
                    if (before != null) {
                        throw new DaemonConfig.ConfigError("port " + a.getPort() + " (" + Banner.hostPort(a) + ") is both "
                                + before + " and " + key + ": give each daemon its own ports");
                    }
                }
            }
        }
    }

    private static int check(List<Loaded<?>> loaded, PrintWriter out, PrintWriter err) {
        for (Loaded<?> l : loaded) {
            String name = l.member().name();
            try {
                for (String line : l.checks()) {
                    out.println(name + ": " + line);
                }
            } catch (DaemonConfig.ConfigError e) {
                err.println("hh stack: " + name + " (" + l.member().file() + "): configuration error: " + e.getMessage());
                err.flush();
                return 2;
            } catch (Exception e) {
                err.println("hh stack: " + name + " (" + l.member().file() + "): check failed: "
                        + Redact.text(e.getMessage() == null ? e.toString() : e.getMessage()));
                err.flush();
                return 1;
            }
            out.println(name + ": configuration OK (" + l.member().file() + ")");
        }
        out.flush();
        return 0;
    }
}
