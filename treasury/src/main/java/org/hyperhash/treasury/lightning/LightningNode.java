package org.hyperhash.treasury.lightning;

import java.time.Duration;
import java.util.Map;

/** What the payout engine needs from a Lightning node (LND over gRPC in production). */
public interface LightningNode extends AutoCloseable {
    /** Node identity and sync state (for /v1/ready). */
    NodeInfo getInfo() throws LndException;

    /** Channel liquidity (for metrics). */
    ChannelSummary channelSummary() throws LndException;

    /**
     * Sends a payment (SendPaymentV2) and waits up to {@code wait} for a terminal state. Never throws for payment
     * failures: every outcome, including "could not tell", is a {@link SendOutcome}.
     */
    SendOutcome send(SendRequest request, Duration wait);

    /**
     * Looks a payment up by hash (TrackPaymentV2), waiting up to {@code wait} for a terminal state if in flight.
     */
    TrackOutcome track(String paymentHashHex, Duration wait);

    @Override
    void close();

    /** Node identity. */
    record NodeInfo(String pubkey, String alias, boolean syncedToChain, int activeChannels) {
    }

    /** Channel balances in sats. */
    record ChannelSummary(long localSats, long remoteSats, int channels) {
    }

    /**
     * One payment attempt. Exactly one of {@code paymentRequest} (BOLT11) or {@code destPubkeyHex} (keysend with
     * {@code keysendPreimageHex} in custom record 5482373484) is set.
     */
    record SendRequest(String paymentHashHex, String paymentRequest, String destPubkeyHex, String keysendPreimageHex,
                       long amountMsat, long feeLimitMsat, int timeoutSeconds, int maxParts) {
        @Override
        public String toString() {
            // the keysend preimage is the proof of payment: never print it
            return "SendRequest[hash=" + paymentHashHex + ", amountMsat=" + amountMsat + ", feeLimitMsat=" + feeLimitMsat
                    + (destPubkeyHex != null ? ", keysend to " + destPubkeyHex : ", bolt11") + "]";
        }
    }

    /** LND's terminal view of a payment. */
    record Terminal(boolean succeeded, long feeMsat, String preimageHex, String failureReason) {
        @Override
        public String toString() {
            return succeeded ? "SUCCEEDED(fee " + feeMsat + " msat)" : "FAILED(" + failureReason + ")";
        }
    }

    /** Outcome of a send. */
    sealed interface SendOutcome permits Sent, Refused, Unknown {
    }

    /** LND reached a terminal state. */
    record Sent(Terminal terminal) implements SendOutcome {
    }

    /** LND answered with an error before recording a payment (bad request, already paid, in transition ...). */
    record Refused(String message) implements SendOutcome {
    }

    /** We cannot tell (transport error, timeout, stream ended early): reconcile with {@link #track}. */
    record Unknown(String message) implements SendOutcome {
    }

    /** Outcome of a track. */
    sealed interface TrackOutcome permits Tracked, NotFound, StillInFlight, TrackUnknown {
    }

    /** Terminal state known. */
    record Tracked(Terminal terminal) implements TrackOutcome {
    }

    /** LND has no payment with this hash: it was never attempted. */
    record NotFound() implements TrackOutcome {
    }

    /** Still in flight after the wait. */
    record StillInFlight() implements TrackOutcome {
    }

    /** LND unreachable or answered unexpectedly. */
    record TrackUnknown(String message) implements TrackOutcome {
    }

    /** Key of the keysend preimage custom record. */
    long KEYSEND_RECORD = 5482373484L;

    /** Status/extra info for /v1/status. */
    default Map<String, Object> describe() {
        return Map.of();
    }
}
