package org.hyperhash.tp.downstream;

import org.hyperhash.daemon.LogLimiter;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.RequestTransactionData;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.tp.template.OutputReservation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * One pool connection's TDP state machine, free of I/O: SetupConnection (protocol 2, version 2)
 * -> CoinbaseOutputConstraints -> templates; RequestTransactionData and SubmitSolution after
 * setup. Errors use SRI's strings; protocol violations close the connection. Driven by the
 * connection's event loop ({@link #onMessage}); the hub calls {@link #deliver} from its thread,
 * which is handed to {@link Outbound#sendAll} (thread-safe by contract).
 */
public final class TdpSession implements TemplateSubscriber {
    private static final Logger LOG = LoggerFactory.getLogger(TdpSession.class);
    /** Shared by all sessions: a flood of bad clients writes one line per limit per 10 s. */
    private static final LogLimiter LIMIT_LOG = new LogLimiter(LOG, Duration.ofSeconds(10));
    private static final LogLimiter PROTOCOL_LOG = new LogLimiter(LOG, Duration.ofSeconds(10));
    static final int PROTOCOL_TEMPLATE_DISTRIBUTION = 2;
    static final int VERSION = 2;

    /** What the session needs from its transport. */
    interface Outbound {
        /**
         * Queues messages in order; returns false when the peer's outbound buffer is over its
         * high-water mark (the transport then counts the drop and closes the connection).
         *
         * @param notifiedNanos latency start to record when a SetNewPrevHash is written, 0 if none
         */
        boolean sendAll(List<Sv2Message> messages, long notifiedNanos);

        /** Flushes what was queued, then closes. */
        void close(String reason);
    }

    public enum State { AWAIT_SETUP, AWAIT_CONSTRAINTS, ACTIVE, CLOSED }

    /**
     * Per-session rate limits, each counted over a sliding {@code window}; a session over one is closed with
     * {@code limit-exceeded} (a violation towards a ban) and {@code hh_tp_session_limits_total{limit}} counts it.
     *
     * @param constraintChanges CoinbaseOutputConstraints after the first (each may cost a template build)
     * @param transactionDataRequests RequestTransactionData messages (each answer can be megabytes)
     * @param refusedSolutions SubmitSolution messages refused at once (unknown template)
     */
    public record Limits(int constraintChanges, int transactionDataRequests, int refusedSolutions, Duration window) {
        public static final Limits DEFAULT = new Limits(6, 120, 16, Duration.ofMinutes(1));

        /** The three limits over one minute. */
        public static Limits perMinute(int constraintChanges, int transactionDataRequests, int refusedSolutions) {
            return new Limits(constraintChanges, transactionDataRequests, refusedSolutions, Duration.ofMinutes(1));
        }

        public Limits {
            if (constraintChanges < 0 || transactionDataRequests < 1 || refusedSolutions < 1 || window.isNegative()
                    || window.isZero()) {
                throw new IllegalArgumentException("session limits must be positive: " + constraintChanges + "/"
                        + transactionDataRequests + "/" + refusedSolutions + " per " + window);
            }
        }
    }

    /** Events in the current window (the window restarts at the first event after it ran out). Event loop only. */
    private static final class WindowCounter {
        private long start = Long.MIN_VALUE;
        private int count;

        /** Counts one event; true when the limit is exceeded. */
        boolean hit(long nowMillis, long windowMillis, int limit) {
            if (start == Long.MIN_VALUE || nowMillis - start >= windowMillis) {
                start = nowMillis;
                count = 0;
            }
            return ++count > limit;
        }
    }

    private final TemplateHub hub;
    private final Outbound out;
    private final String peer;
    private final Limits limits;
    private final InstantSource clock;
    private final TpMetrics metrics;
    private final WindowCounter constraintChanges = new WindowCounter();
    private final WindowCounter txDataRequests = new WindowCounter();
    private final WindowCounter refusedSolutions = new WindowCounter();
    private volatile State state = State.AWAIT_SETUP;
    private volatile OutputReservation reservation = OutputReservation.NONE;

    TdpSession(TemplateHub hub, Outbound out, String peer) {
        this(hub, out, peer, Limits.DEFAULT, InstantSource.system(), TpMetrics.noop());
    }

    TdpSession(TemplateHub hub, Outbound out, String peer, Limits limits, InstantSource clock, TpMetrics metrics) {
        this.hub = hub;
        this.out = out;
        this.peer = peer;
        this.limits = limits;
        this.clock = clock;
        this.metrics = metrics;
    }

    private boolean overLimit(WindowCounter c, int limit, String name) {
        if (!c.hit(clock.millis(), limits.window().toMillis(), limit)) {
            return false;
        }
        metrics.sessionLimit(name);
        LIMIT_LOG.warn(name, "pool {}: more than {} {} per {}; closing", peer, limit, name, limits.window());
        close("limit-exceeded");
        return true;
    }

    public State state() {
        return state;
    }

    @Override
    public OutputReservation reservation() {
        return reservation;
    }

    @Override
    public boolean open() {
        return state != State.CLOSED;
    }

    @Override
    public void deliver(List<Sv2Message> messages, long notifiedNanos) {
        if (state != State.ACTIVE) {
            return;
        }
        if (!out.sendAll(messages, notifiedNanos)) {
            close("slow-consumer");
        }
    }

    void onMessage(Sv2Message m) {
        switch (state) {
            case AWAIT_SETUP -> {
                if (!(m instanceof SetupConnection sc)) {
                    protocolError("expected SetupConnection, got " + m.type());
                    return;
                }
                onSetup(sc);
            }
            case AWAIT_CONSTRAINTS, ACTIVE -> {
                switch (m) {
                    case CoinbaseOutputConstraints c -> onConstraints(c);
                    case RequestTransactionData r -> {
                        if (overLimit(txDataRequests, limits.transactionDataRequests(), "transaction-data-requests")) {
                            return;
                        }
                        if (!out.sendAll(List.of(hub.transactionData(this, r.templateId())), 0)) {
                            close("slow-consumer");
                        }
                    }
                    case SubmitSolution s -> {
                        if (!hub.submitSolution(this, s, peer)) {
                            overLimit(refusedSolutions, limits.refusedSolutions(), "solutions");
                        }
                    }
                    case org.hyperhash.sv2.message.extensions.RequestExtensions r -> {
                        // extension 0x0001 is answered, never a violation; the TP implements no other extension
                        LOG.info("pool {} requested extensions {}: none supported", peer, r.requestedExtensions());
                        out.sendAll(List.of(org.hyperhash.sv2.message.extensions.ExtensionNegotiation.answer(r,
                                java.util.Set.of())), 0);
                    }
                    default -> protocolError("unexpected " + m.type() + " on a template distribution connection");
                }
            }
            case CLOSED -> { }
        }
    }

    private void onSetup(SetupConnection sc) {
        if (sc.protocol() != PROTOCOL_TEMPLATE_DISTRIBUTION) {
            reject(0, "unsupported-protocol", "protocol " + sc.protocol());
            return;
        }
        if (sc.minVersion() > VERSION || sc.maxVersion() < VERSION) {
            reject(0, "protocol-version-mismatch", "versions " + sc.minVersion() + ".." + sc.maxVersion());
            return;
        }
        // TDP defines no flags: any flag the client sets is ignored and Success carries 0
        state = State.AWAIT_CONSTRAINTS;
        LOG.info("pool {} set up (vendor '{}', firmware '{}')", peer, sc.vendor(), sc.firmware());
        if (!out.sendAll(List.of(new SetupConnectionSuccess(VERSION, 0)), 0)) {
            close("slow-consumer");
        }
    }

    private void onConstraints(CoinbaseOutputConstraints c) {
        OutputReservation r = OutputReservation.of(c);
        boolean first = state == State.AWAIT_CONSTRAINTS;
        if (!first && overLimit(constraintChanges, limits.constraintChanges(), "constraint-changes")) {
            return;
        }
        reservation = r;
        state = State.ACTIVE;
        LOG.info("pool {} reserves {} bytes / {} sigops in the coinbase{}", peer, r.maxAdditionalSizeBytes(),
                r.maxAdditionalSigops(), first ? "" : " (updated)");
        hub.subscribe(this); // delivers the current future template + SetNewPrevHash
    }

    private void reject(int flags, String code, String detail) {
        LOG.info("pool {} setup rejected: {} ({})", peer, code, detail);
        out.sendAll(List.of(new SetupConnectionError(flags, code)), 0);
        close("setup-error");
    }

    private void protocolError(String detail) {
        PROTOCOL_LOG.warn("protocol-error", "pool {}: protocol error: {}; closing", peer, detail);
        close("protocol-error");
    }

    void close(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        hub.unsubscribe(this);
        out.close(reason);
    }

    /** The connection went away (from the transport). */
    void closed() {
        state = State.CLOSED;
        hub.unsubscribe(this);
    }

    static boolean isPrevHash(Sv2Message m) {
        return m instanceof SetNewPrevHash;
    }

    static boolean isTemplate(Sv2Message m) {
        return m instanceof NewTemplate;
    }
}
