package org.hyperhash.translator;

import org.hyperhash.daemon.Checks;
import org.hyperhash.translator.sv2.PoolEndpoint;
import org.hyperhash.daemon.DaemonLauncher;
import org.hyperhash.daemon.DaemonOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hh translator --config FILE --set path=value [--print-config | --check-config]}: runs the SV1 → SV2 translator. */
@Command(name = "translator", mixinStandardHelpOptions = true,
        description = "SV1 → SV2 translator: SV1 firmware connects here, one SV2 extended channel goes to the pool.")
public final class TranslatorCommand implements Callable<Integer> {
    @Mixin
    DaemonOptions options;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return DaemonLauncher.run("translator", options, TranslatorConfig.ENV_PREFIX, TranslatorConfig.ROOT, List.of(),
                spec(null), spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * The daemon's wiring (parse, listen addresses, start-time checks, creation): also {@code hh stack}'s.
     *
     * @param passed the sockets systemd passed to a process running several daemons (the SV1 one is used), or null:
     *               read {@code LISTEN_FDS} for this daemon alone
     */
    public static DaemonLauncher.Spec<TranslatorConfig> spec(List<org.hyperhash.daemon.SocketActivation.Inherited> passed) {
        return DaemonLauncher.Spec.of(TranslatorConfig::from,
                        c -> {
                            Map<String, List<InetSocketAddress>> m = new LinkedHashMap<>();
                            boolean activated = passed != null
                                    ? !org.hyperhash.daemon.SocketActivation.named(passed, TranslatorDaemon.SV1_SOCKET_NAME).isEmpty()
                                    : org.hyperhash.daemon.SocketActivation.passes(TranslatorDaemon.SV1_SOCKET_NAME,
                                            java.util.Set.of(TranslatorDaemon.SV1_SOCKET_NAME));
                            if (!activated) {
                                m.put("sv1.listen", List.of(c.sv1Listen())); // else hh-translator.socket holds the port
                            }
                            m.put("admin.listen", List.of(c.adminListen()));
                            return m;
                        },
                        c -> {
                            List<String> ok = new ArrayList<>();
                            for (int n = 0; n < c.pools().size(); n++) {
                                PoolEndpoint p = c.pools().get(n);
                                String key = TranslatorConfig.ROOT + ".upstream.pools[" + n + "]";
                                // the translator starts without its pools (it keeps retrying): a warning, not a failure
                                ok.add(Checks.warnOnly(() -> Checks.tcp("pool " + p.name(), key, p.host(), p.port())));
                            }
                            return ok;
                        },
                        c -> {
                            TranslatorDaemon d = new TranslatorDaemon(c, InstantSource.system());
                            return passed != null ? d.inheritedSockets(passed) : d;
                        }, c -> Duration.ofSeconds(10));
    }
}
