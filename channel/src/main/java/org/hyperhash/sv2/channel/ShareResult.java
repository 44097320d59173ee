package org.hyperhash.sv2.channel;

import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.jd.PushSolution;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.message.template.SubmitSolution;

/** Outcome of validating one share. */
public sealed interface ShareResult {

    /**
     * The share met its job's target.
     *
     * @param channelId channel that accepted it
     * @param sequenceNumber the share's sequence_number
     * @param jobId the share's job
     * @param difficulty bdiff of the job target (work credited, for share_windows)
     * @param ack a SubmitShares.Success to send now (batch full), or null
     * @param hashDifficulty bdiff of the share's own hash (>= difficulty; "best share" statistics), 0 when unknown
     */
    record Accepted(int channelId, int sequenceNumber, int jobId, double difficulty, SubmitSharesSuccess ack,
            double hashDifficulty) implements ShareResult {
        /** Without the hash's difficulty (0: unknown). */
        public Accepted(int channelId, int sequenceNumber, int jobId, double difficulty, SubmitSharesSuccess ack) {
            this(channelId, sequenceNumber, jobId, difficulty, ack, 0);
        }
    }

    /**
     * The share was rejected; reply SubmitShares.Error(sequence_number, errorCode). Instances are
     * shared constants ({@link RejectReason#result()}).
     *
     * @param reason typed reason (for counters)
     * @param errorCode the wire error code
     */
    record Rejected(RejectReason reason, String errorCode) implements ShareResult {
    }

    /**
     * The share met the network target: submit the block now. Also counts as an accepted share
     * (an ack is always attached, as SRI acknowledges immediately after a block).
     *
     * @param channelId channel
     * @param sequenceNumber share sequence_number
     * @param jobId job
     * @param templateId TDP template_id for SubmitSolution
     * @param version full header version (after rolling)
     * @param ntime header time
     * @param nonce header nonce
     * @param nbits header bits
     * @param prevHash previous block hash
     * @param fullExtranonce extranonce_prefix || extranonce (for JD PushSolution)
     * @param coinbaseTx full coinbase with BIP141 witness (SubmitSolution.coinbase_tx)
     * @param blockHash the block hash (wire order; display with toDisplayHex)
     * @param header the 80-byte header
     * @param difficulty bdiff of the job target (work credited)
     * @param ack SubmitShares.Success to send now
     */
    record BlockFound(int channelId, int sequenceNumber, int jobId, long templateId, int version, int ntime, int nonce,
            int nbits, Hash256 prevHash, Bytes fullExtranonce, Bytes coinbaseTx, Hash256 blockHash, Bytes header,
            double difficulty, SubmitSharesSuccess ack) implements ShareResult {

        /** TDP SubmitSolution for the template provider. */
        public SubmitSolution toSubmitSolution() {
            return new SubmitSolution(templateId, version, ntime, nonce, coinbaseTx);
        }

        /** JD PushSolution (custom jobs). */
        public PushSolution toPushSolution() {
            return new PushSolution(fullExtranonce, prevHash, nonce, ntime, nbits, version);
        }
    }
}
