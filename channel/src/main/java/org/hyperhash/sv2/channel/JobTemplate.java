package org.hyperhash.sv2.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.OptionalInt;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.ByteWriter;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;

/**
 * The channel-independent part of a job, built once per template by {@link JobFactory} and shared
 * (immutable, thread-safe) by every channel with the same full extranonce size. Coinbase =
 * {@code coinbaseTxPrefix || full extranonce || coinbaseTxSuffix} in legacy (BIP141-stripped)
 * form; {@link #coinbaseWithWitness(Bytes)} rebuilds the witness form for block submission.
 *
 *
 * <p>Fields: templateId (TDP), future (TDP future_template), version, merklePath (leaf level
 * first), fullExtranonceSize (N of {@code OP_PUSHBYTES_N}), coinbaseTxPrefix (stripped, ends with
 * {@code OP_PUSHBYTES_N}), coinbaseTxSuffix (stripped: sequence, outputs, locktime), segwit (the
 * template commits to witnesses, so the block coinbase carries the witness), outputs (pool payouts
 * then template outputs).
 */
public final class JobTemplate {

    private static final byte[] COINBASE_WITNESS = witness();

    private final long templateId;
    private final boolean future;
    private final int version;
    private final List<Hash256> merklePath;
    private final byte[] flatMerklePath;
    private final int fullExtranonceSize;
    private final Bytes coinbaseTxPrefix;
    private final Bytes coinbaseTxSuffix;
    private final boolean segwit;
    private final List<TxOut> outputs;
    /** Last NewExtendedMiningJob frame encoded for this template (ids zero); racy but safely published. */
    private volatile ExtendedFrame extendedFrame;
    private volatile JobTemplate futureCopy;

    /** An encoded NewExtendedMiningJob frame with channel_id = job_id = 0 for one (min_ntime, rolling) variant. */
    private record ExtendedFrame(OptionalInt minNtime, boolean versionRollingAllowed, byte[] frame) {
    }

    /** Offsets of channel_id and job_id in an encoded NewExtendedMiningJob frame (6-byte header first). */
    private static final int CHANNEL_ID_OFFSET = 6;
    private static final int JOB_ID_OFFSET = 10;

    public JobTemplate(long templateId, boolean future, int version, List<Hash256> merklePath, int fullExtranonceSize,
            Bytes coinbaseTxPrefix, Bytes coinbaseTxSuffix, boolean segwit, List<TxOut> outputs) {
        this.templateId = templateId;
        this.future = future;
        this.version = version;
        this.merklePath = List.copyOf(merklePath);
        this.flatMerklePath = MerkleBranch.flatten(this.merklePath);
        this.fullExtranonceSize = fullExtranonceSize;
        this.coinbaseTxPrefix = coinbaseTxPrefix;
        this.coinbaseTxSuffix = coinbaseTxSuffix;
        this.segwit = segwit;
        this.outputs = List.copyOf(outputs);
        if (coinbaseTxPrefix.length() < 5 || coinbaseTxSuffix.length() < 4) {
            throw new IllegalArgumentException("coinbase prefix/suffix too short");
        }
    }

    public long templateId() {
        return templateId;
    }

    public boolean future() {
        return future;
    }

    public int version() {
        return version;
    }

    public List<Hash256> merklePath() {
        return merklePath;
    }

    public int fullExtranonceSize() {
        return fullExtranonceSize;
    }

    public Bytes coinbaseTxPrefix() {
        return coinbaseTxPrefix;
    }

    public Bytes coinbaseTxSuffix() {
        return coinbaseTxSuffix;
    }

    public boolean segwit() {
        return segwit;
    }

    public List<TxOut> outputs() {
        return outputs;
    }

    /** Total value of the coinbase outputs. */
    public long totalOutputSats() {
        return outputs.stream().mapToLong(TxOut::valueSats).sum();
    }

    private static byte[] witness() {
        byte[] w = new byte[34];
        w[0] = 0x01;
        w[1] = 0x20;
        return w;
    }

    /** The merkle path as one array of 32-byte nodes. Shared: never modify it. */
    byte[] flatMerklePath() {
        return flatMerklePath;
    }

    /** The same template marked as future (used when a channel opens on the current work). */
    public JobTemplate asFuture() {
        if (future) {
            return this;
        }
        JobTemplate f = futureCopy;
        if (f == null) {
            f = new JobTemplate(templateId, true, version, merklePath, fullExtranonceSize, coinbaseTxPrefix,
                    coinbaseTxSuffix, segwit, outputs);
            futureCopy = f; // a race builds an equal copy twice: harmless
        }
        return f;
    }

    private void checkExtranonce(Bytes fullExtranonce) {
        if (fullExtranonce.length() != fullExtranonceSize) {
            throw new IllegalArgumentException("full extranonce must be " + fullExtranonceSize + " bytes, got "
                    + fullExtranonce.length());
        }
    }

    /** Legacy coinbase serialization (the txid preimage). */
    public Bytes coinbaseWithoutWitness(Bytes fullExtranonce) {
        checkExtranonce(fullExtranonce);
        return coinbaseTxPrefix.concat(fullExtranonce).concat(coinbaseTxSuffix);
    }

    /** The coinbase for block submission (TDP SubmitSolution): BIP144 form when {@link #segwit()}. */
    public Bytes coinbaseWithWitness(Bytes fullExtranonce) {
        if (!segwit) {
            return coinbaseWithoutWitness(fullExtranonce);
        }
        checkExtranonce(fullExtranonce);
        byte[] p = coinbaseTxPrefix.unsafeArray();
        byte[] s = coinbaseTxSuffix.unsafeArray();
        ByteWriter w = new ByteWriter(p.length + s.length + fullExtranonceSize + 36);
        w.bytes(p, 0, 4).u8(0x00).u8(0x01).bytes(p, 4, p.length - 4);
        w.bytes(fullExtranonce);
        w.bytes(s, 0, s.length - 4).bytes(COINBASE_WITNESS).bytes(s, s.length - 4, 4);
        return w.toBytes();
    }

    public Hash256 coinbaseTxid(Bytes fullExtranonce) {
        return Sha256d.of(coinbaseWithoutWitness(fullExtranonce));
    }

    /** Merkle root of the block for a given full extranonce (standard jobs). */
    public Hash256 merkleRoot(Bytes fullExtranonce) {
        return MerkleBranch.root(coinbaseTxid(fullExtranonce), merklePath);
    }

    /**
     * Appends {@code job} as one frame to {@code out}. When the job was made from this template by
     * {@link #toNewExtendedMiningJob}, the template's frame is encoded once (per min_ntime/rolling
     * variant) and only channel_id and job_id are patched per channel; otherwise it is encoded.
     */
    public void writeExtendedJobFrame(NewExtendedMiningJob job, ByteBuf out) {
        if (job.coinbaseTxPrefix() != coinbaseTxPrefix || job.coinbaseTxSuffix() != coinbaseTxSuffix
                || job.merklePath() != merklePath || job.version() != version) {
            Sv2Codec.encodeFrame(job, out);
            return;
        }
        ExtendedFrame f = extendedFrame;
        if (f == null || f.versionRollingAllowed() != job.versionRollingAllowed() || !f.minNtime().equals(job.minNtime())) {
            ByteBuf b = Unpooled.buffer(64 + coinbaseTxPrefix.length() + coinbaseTxSuffix.length() + 32 * merklePath.size());
            try {
                Sv2Codec.encodeFrame(new NewExtendedMiningJob(0, 0, job.minNtime(), version, job.versionRollingAllowed(),
                        merklePath, coinbaseTxPrefix, coinbaseTxSuffix), b);
                byte[] bytes = new byte[b.readableBytes()];
                b.getBytes(b.readerIndex(), bytes);
                f = new ExtendedFrame(job.minNtime(), job.versionRollingAllowed(), bytes);
            } finally {
                b.release();
            }
            extendedFrame = f;
        }
        int start = out.writerIndex();
        out.writeBytes(f.frame());
        out.setIntLE(start + CHANNEL_ID_OFFSET, job.channelId());
        out.setIntLE(start + JOB_ID_OFFSET, job.jobId());
    }

    /** The NewExtendedMiningJob for this template. */
    public NewExtendedMiningJob toNewExtendedMiningJob(int channelId, int jobId, OptionalInt minNtime,
            boolean versionRollingAllowed) {
        return new NewExtendedMiningJob(channelId, jobId, minNtime, version, versionRollingAllowed, merklePath,
                coinbaseTxPrefix, coinbaseTxSuffix);
    }
}
