package org.hyperhash.pool.upstream;

import org.hyperhash.pool.PoolConfig;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.tdp.TdpClient;
import org.hyperhash.sv2.tdp.TdpClientConfig;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TdpListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The production {@link TemplateSource}: a {@link TdpClient} towards the configured template
 * providers (Noise with pinned authority keys, failover/failback, reconnect forever). The
 * constraints given to {@link #start} replace the ones in the config (the pool computes them
 * from its payout script).
 */
public final class TdpTemplateSource implements TemplateSource {
    private static final Logger LOG = LoggerFactory.getLogger(TdpTemplateSource.class);

    private final TdpClientConfig config;
    private final Secp256k1Provider crypto;
    private final java.time.InstantSource clock;
    private volatile TdpClient client;
    private volatile boolean closed;

    public TdpTemplateSource(TdpClientConfig config, Secp256k1Provider crypto, java.time.InstantSource clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.crypto = Objects.requireNonNull(crypto, "crypto");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The pool's TDP upstream as configured ({@code template-providers}, {@code tdp}): what `hh pool` runs. */
    public static TdpTemplateSource fromConfig(PoolConfig cfg, Secp256k1Provider crypto, java.time.InstantSource clock) {
        return new TdpTemplateSource(clientConfig(cfg.templateProviders(), cfg.tdp()), crypto, clock);
    }

    /**
     * The client config for the pool's {@code template-providers} and {@code tdp} settings
     * (constraints are a placeholder: {@link #start} supplies the real ones).
     */
    public static TdpClientConfig clientConfig(List<PoolConfig.TemplateProvider> providers, PoolConfig.Tdp tdp) {
        List<TdpEndpoint> endpoints = providers.stream()
                .map(p -> new TdpEndpoint(p.address().getHostString(), p.address().getPort(), p.authorityKey()))
                .toList();
        return TdpClientConfig.of(endpoints, new CoinbaseOutputConstraints(0, OptionalInt.of(0)))
                .withTimings(tdp.connectTimeout(), tdp.initialBackoff(), tdp.maxBackoff(), tdp.cooldown())
                .withFailback(tdp.failback());
    }

    @Override
    public synchronized void start(TdpListener listener, CoinbaseOutputConstraints constraints) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (client != null) {
            throw new IllegalStateException("already started");
        }
        for (TdpEndpoint e : config.endpoints()) {
            if (e.authorityPublicKey() == null) {
                LOG.warn("template provider {} has no pinned authority key: any certificate is accepted (loopback/testing only)", e);
            }
        }
        client = new TdpClient(config.withConstraints(constraints), crypto, clock, null, listener);
        client.start();
    }

    @Override
    public boolean connected() {
        TdpClient c = client;
        return c != null && c.state() == TdpClient.State.CONNECTED;
    }

    @Override
    public boolean submitSolution(SubmitSolution solution) {
        TdpClient c = client;
        return c != null && c.submitSolution(solution);
    }

    @Override
    public java.util.concurrent.CompletableFuture<org.hyperhash.sv2.tdp.TransactionDataResult> requestTransactionData(
            long templateId) {
        TdpClient c = client;
        if (c == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    new org.hyperhash.sv2.tdp.TransactionDataResult.Unavailable(templateId, "template source not started"));
        }
        return c.requestTransactionData(templateId);
    }

    @Override
    public String describe() {
        TdpClient c = client;
        if (c == null) {
            return closed ? "closed" : "not started";
        }
        TdpEndpoint e = c.connectedEndpoint();
        return e != null ? "tdp " + e.address() + " (connected)" : "tdp " + c.state().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The underlying client (null before {@link #start}), e.g. for RequestTransactionData. */
    public TdpClient client() {
        return client;
    }

    @Override
    public synchronized void close() {
        closed = true;
        TdpClient c = client;
        if (c != null) {
            c.close();
        }
    }
}
