package org.hyperhash.pool.jds;

import java.time.Instant;
import java.util.List;
import org.hyperhash.base.ByteWriter;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.channel.ChainTip;
import org.hyperhash.sv2.channel.JobTemplate;
import org.hyperhash.sv2.message.mining.SetCustomMiningJob;
import org.hyperhash.pool.jds.JdsMetrics.CustomJob;

/**
 * Checks a SetCustomMiningJob against the job its token declared to this pool's JDS and against the pool's chain
 * tip, and builds the channel engine's job for it. Stateless; call on the connection's event loop.
 */
public final class CustomJobs {
    /** How far below the pool's own header timestamp a custom job's min_ntime may start (another node's clock). */
    static final long MIN_NTIME_SLACK_SECONDS = 600;

    /** Either the job to add to the channel, or the SetCustomMiningJob.Error code. */
    public sealed interface Result {
    }

    public record Accepted(JobTemplate template, ChainTip tip, JobTokens.Declared declared) implements Result {
    }

    public record Refused(CustomJob reason, String detail) implements Result {
    }

    private CustomJobs() {
    }

    /**
     * @param poolTip the pool's current chain tip (from its own template provider), or null when it has none
     * @param fullExtranonceSize the channel's extranonce_prefix + extranonce length
     * @param maxNtimeAheadSeconds the channel policy's bound on future ntime
     */
    public static Result check(SetCustomMiningJob m, JobTokens tokens, ChainTip poolTip, int fullExtranonceSize,
            Instant now, long maxNtimeAheadSeconds) {
        JobTokens.Declared d = tokens.declared(m.miningJobToken());
        if (d == null) {
            return new Refused(CustomJob.INVALID_MINING_JOB_TOKEN, "token unknown, expired or never declared");
        }
        if (poolTip == null || !poolTip.prevHash().equals(m.prevHash())) {
            return new Refused(CustomJob.STALE_CHAIN_TIP, "prev_hash " + m.prevHash().toDisplayHex()
                    + " is not the pool's chain tip");
        }
        if (m.nbits() != poolTip.nbits()) {
            return new Refused(CustomJob.INVALID_NBITS, "nbits " + Integer.toHexString(m.nbits()) + " but the chain needs "
                    + Integer.toHexString(poolTip.nbits()));
        }
        long minNtime = m.minNtime() & 0xffffffffL;
        if (minNtime + MIN_NTIME_SLACK_SECONDS < (poolTip.headerTimestamp() & 0xffffffffL)
                || minNtime > now.getEpochSecond() + maxNtimeAheadSeconds) {
            return new Refused(CustomJob.INVALID_MIN_NTIME, "min_ntime " + minNtime + " out of range");
        }
        if (m.version() != d.version()) {
            return new Refused(CustomJob.INVALID_VERSION, "version differs from the declared job");
        }
        DeclaredCoinbase cb = d.coinbase();
        if (m.coinbaseTxVersion() != cb.version()) {
            return new Refused(CustomJob.INVALID_COINBASE_TX_VERSION, "differs from the declared coinbase");
        }
        if (!m.coinbasePrefix().equals(cb.scriptSigPrefix())) {
            return new Refused(CustomJob.INVALID_COINBASE_PREFIX, "differs from the declared scriptSig");
        }
        if (m.coinbaseTxInputNSequence() != cb.sequence()) {
            return new Refused(CustomJob.INVALID_COINBASE_TX_INPUT_N_SEQUENCE, "differs from the declared coinbase");
        }
        List<TxOut> outputs;
        try {
            outputs = TxOut.parseCounted(m.coinbaseTxOutputs());
        } catch (IllegalArgumentException e) {
            return new Refused(CustomJob.INVALID_COINBASE_TX_OUTPUTS, "malformed: " + e.getMessage());
        }
        if (!outputs.equals(cb.outputs())) {
            return new Refused(CustomJob.INVALID_COINBASE_TX_OUTPUTS, "differ from the declared coinbase outputs");
        }
        if (m.coinbaseTxLocktime() != cb.locktime()) {
            return new Refused(CustomJob.INVALID_COINBASE_TX_LOCKTIME, "differs from the declared coinbase");
        }
        List<Hash256> path = d.merklePath();
        if (!path.equals(m.merklePath())) {
            return new Refused(CustomJob.INVALID_MERKLE_PATH, "not the path of the declared transactions");
        }
        if (cb.extranonceSize() != fullExtranonceSize) {
            return new Refused(CustomJob.INVALID_COINBASE_TX, "declared coinbase leaves " + cb.extranonceSize()
                    + " extranonce bytes; this channel's full extranonce is " + fullExtranonceSize);
        }
        JobTemplate t = new JobTemplate(d.customTemplateId(), false, m.version(), path, fullExtranonceSize,
                legacyPrefix(cb, fullExtranonceSize), legacySuffix(cb), cb.segwit(), outputs);
        ChainTip tip = new ChainTip(d.customTemplateId(), m.prevHash(), m.minNtime(), m.nbits(), poolTip.networkTarget());
        return new Accepted(t, tip, d);
    }

    /** version | 1 input | null prevout | scriptSig length | scriptSig prefix (the extranonce follows). */
    static Bytes legacyPrefix(DeclaredCoinbase cb, int fullExtranonceSize) {
        ByteWriter p = new ByteWriter(64 + cb.scriptSigPrefix().length());
        p.u32Le(cb.version());
        p.u8(1);
        p.hash(Hash256.ZERO).u32Le(-1);
        p.compactSize(cb.scriptSigPrefix().length() + fullExtranonceSize);
        p.bytes(cb.scriptSigPrefix());
        return p.toBytes();
    }

    /** sequence | outputs | locktime (no witness: the legacy serialization the txid commits to). */
    static Bytes legacySuffix(DeclaredCoinbase cb) {
        ByteWriter s = new ByteWriter(256);
        s.u32Le(cb.sequence());
        s.compactSize(cb.outputs().size());
        for (TxOut o : cb.outputs()) {
            o.writeTo(s);
        }
        s.u32Le(cb.locktime());
        return s.toBytes();
    }
}
