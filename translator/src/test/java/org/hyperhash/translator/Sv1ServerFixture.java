package org.hyperhash.translator;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.translator.bridge.Bridge;
import org.hyperhash.translator.sv1.Sv1Guard;
import org.hyperhash.translator.sv1.Sv1Server;

/**
 * A bare SV1 server over real sockets for the ITs that test its connection handling (no upstream pool, no daemon): its
 * own I/O loops, a bridge on a loop of its own, Prometheus metrics; bound on loopback port 0; {@link #close} stops it.
 */
final class Sv1ServerFixture implements AutoCloseable {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final TranslatorMetrics metrics = new TranslatorMetrics(registry);
    final EventLoopGroup io;
    final EventLoopGroup bridgeGroup;
    final EventLoop bridgeLoop;
    final Sv1Server server;
    final InetSocketAddress address;

    /** {@code guard} null: the default per-IP limits, bans and setup timeout. */
    Sv1ServerFixture(String name, int ioThreads, int maxPendingPerMiner, Duration idleTimeout, Sv1Guard guard)
            throws InterruptedException {
        TranslatorConfig cfg = Harness.config(1e-5, Duration.ofSeconds(30), 1);
        io = Sv2Transport.newEventLoopGroup(ioThreads, name + "-io");
        bridgeGroup = Sv2Transport.newEventLoopGroup(1, name + "-bridge");
        bridgeLoop = bridgeGroup.next();
        Bridge bridge = new Bridge(cfg.bridge(), InstantSource.system(), metrics, cfg.openRetry());
        server = guard == null
                ? new Sv1Server(io, bridgeLoop, bridge, metrics, 4096, maxPendingPerMiner, idleTimeout)
                : new Sv1Server(io, bridgeLoop, bridge, metrics, 4096, maxPendingPerMiner, idleTimeout, guard,
                        Sv1Server.DEFAULT_ACCEPT_BACKLOG);
        address = server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** {@code hh_translator_sv1_errors_total{kind}}. */
    double errors(String kind) {
        return registry.get("hh.translator.sv1.errors").tag("kind", kind).counter().count();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        bridgeGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
