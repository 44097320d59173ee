package org.hyperhash.pool.upstream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TdpListener;
import org.hyperhash.sv2.tdp.TransactionDataResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pool's readiness needs to know about its template provider beyond "connected":
 * <ul>
 *   <li><b>solutions acted on</b>: TDP has no answer to SubmitSolution, but a TP that submits a valid block sees a new
 *       tip at once and sends SetNewPrevHash. A SubmitSolution followed by no SetNewPrevHash within
 *       {@code confirmTimeout} means the TP refused or lost it (unknown template, invalid, node refused): counted in
 *       {@code hh_pool_solutions_unconfirmed_total}, an ERROR line, and readiness red until a later solution is
 *       followed by a new tip in time or the TP session is replaced. A new tip from another miner in the meantime (a
 *       lost race) counts as acted on: the pool cannot tell them apart on TDP alone.</li>
 *   <li><b>templates fresh</b>: a TP sends a template at least on every new block and on fee rises; none for longer
 *       than {@code maxSilence} means it is stuck (zero turns the check off, e.g. on an idle regtest).</li>
 * </ul>
 * {@link #wrap} returns a {@link TemplateSource} that feeds this from the source's own traffic. Thread-safe.
 */
public final class UpstreamHealth {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamHealth.class);

    private final InstantSource clock;
    private final Duration confirmTimeout;
    private final Duration maxSilence;
    private final Counter unconfirmed;
    private long lastTemplateMs;
    private long pendingSinceMs; // 0 = no solution waiting for a new tip
    private boolean refusing;

    public UpstreamHealth(InstantSource clock, Duration confirmTimeout, Duration maxSilence, MeterRegistry registry) {
        this.clock = clock;
        this.confirmTimeout = confirmTimeout;
        this.maxSilence = maxSilence;
        this.unconfirmed = Counter.builder("hh.pool.solutions.unconfirmed")
                .description("SubmitSolutions the template provider did not follow with a new tip in time (refused or lost)")
                .register(registry);
        this.lastTemplateMs = clock.millis();
    }

    public synchronized void templateReceived() {
        lastTemplateMs = clock.millis();
    }

    public synchronized void prevHashReceived() {
        lastTemplateMs = clock.millis();
        if (pendingSinceMs != 0) {
            pendingSinceMs = 0;
            if (refusing) {
                LOG.info("the template provider acted on a solution again (new tip after SubmitSolution)");
            }
            refusing = false;
        }
    }

    public synchronized void solutionSent() {
        if (pendingSinceMs == 0) {
            pendingSinceMs = Math.max(1, clock.millis());
        }
    }

    /** A new TP session: what the previous one refused says nothing about it. */
    public synchronized void sessionStarted() {
        refusing = false;
        pendingSinceMs = 0;
        lastTemplateMs = clock.millis();
    }

    /** False once a solution went unanswered by a new tip for longer than the timeout (until cleared). */
    public synchronized boolean solutionsAccepted() {
        if (pendingSinceMs != 0 && clock.millis() - pendingSinceMs > confirmTimeout.toMillis()) {
            pendingSinceMs = 0;
            refusing = true;
            unconfirmed.increment();
            LOG.error("the template provider sent no new tip within {} of a SubmitSolution: it refused or lost the block"
                    + " (see its log and hh_tp_solutions_refused_total); readiness is red until it acts on one again",
                    confirmTimeout);
        }
        return !refusing;
    }

    /** False when no template arrived for longer than the configured silence (never when that is zero). */
    public synchronized boolean templatesFresh() {
        return maxSilence.isZero() || clock.millis() - lastTemplateMs <= maxSilence.toMillis();
    }

    public double unconfirmedCount() {
        return unconfirmed.count();
    }

    /** {@code source}, with its templates, tips, sessions and solutions reported to this. */
    public TemplateSource wrap(TemplateSource source) {
        return new TemplateSource() {
            @Override
            public void start(TdpListener listener, CoinbaseOutputConstraints constraints) {
                source.start(new TdpListener() {
                    @Override
                    public void onNewTemplate(NewTemplate template) {
                        templateReceived();
                        listener.onNewTemplate(template);
                    }

                    @Override
                    public void onSetNewPrevHash(SetNewPrevHash prevHash) {
                        prevHashReceived();
                        listener.onSetNewPrevHash(prevHash);
                    }

                    @Override
                    public void onConnected(TdpEndpoint endpoint) {
                        sessionStarted();
                        listener.onConnected(endpoint);
                    }

                    @Override
                    public void onDisconnected(TdpEndpoint endpoint, String reason) {
                        listener.onDisconnected(endpoint, reason);
                    }
                }, constraints);
            }

            @Override
            public boolean connected() {
                return source.connected();
            }

            @Override
            public boolean submitSolution(SubmitSolution solution) {
                boolean sent = source.submitSolution(solution);
                if (sent) {
                    solutionSent();
                }
                return sent;
            }

            @Override
            public CompletableFuture<TransactionDataResult> requestTransactionData(long templateId) {
                return source.requestTransactionData(templateId);
            }

            @Override
            public String describe() {
                return source.describe();
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }
}
