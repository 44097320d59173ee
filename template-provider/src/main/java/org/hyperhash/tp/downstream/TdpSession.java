package org.hyperhash.tp.downstream;

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

import java.util.List;

/**
 * One pool connection's TDP state machine, free of I/O: SetupConnection (protocol 2, version 2)
 * -> CoinbaseOutputConstraints -> templates; RequestTransactionData and SubmitSolution after
 * setup. Errors use SRI's strings; protocol violations close the connection. Driven by the
 * connection's event loop ({@link #onMessage}); the hub calls {@link #deliver} from its thread,
 * which is handed to {@link Outbound#sendAll} (thread-safe by contract).
 */
final class TdpSession implements TemplateSubscriber {
    private static final Logger LOG = LoggerFactory.getLogger(TdpSession.class);
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

    enum State { AWAIT_SETUP, AWAIT_CONSTRAINTS, ACTIVE, CLOSED }

    private final TemplateHub hub;
    private final Outbound out;
    private final String peer;
    private volatile State state = State.AWAIT_SETUP;
    private volatile OutputReservation reservation = OutputReservation.NONE;

    TdpSession(TemplateHub hub, Outbound out, String peer) {
        this.hub = hub;
        this.out = out;
        this.peer = peer;
    }

    State state() {
        return state;
    }

    @Override
    public OutputReservation reservation() {
        return reservation;
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
                        if (!out.sendAll(List.of(hub.transactionData(r.templateId())), 0)) {
                            close("slow-consumer");
                        }
                    }
                    case SubmitSolution s -> hub.submitSolution(s, peer);
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
        LOG.warn("pool {}: protocol error: {}; closing", peer, detail);
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
