package org.hyperhash.sv2.channel;

import io.netty.buffer.ByteBuf;
import org.hyperhash.base.HotPath;
import org.hyperhash.sv2.framing.FrameHeader;
import org.hyperhash.sv2.message.MessageType;

/**
 * The two frames a standard channel gets on every new block, written field by field into the session's batch
 * ({@link ServerChannel#onNewTemplate(JobTemplate, ByteBuf)}, {@link ServerChannel#onSetNewPrevHash(ChainTip,
 * ByteBuf)}). Same bytes as {@code Sv2Codec.encodeFrame} of a NewMiningJob / mining SetNewPrevHash record (checked
 * byte for byte by JobFramesTest): the fan-out to 10k standard channels built a record, an OptionalInt, an
 * Optional and a lambda per channel per message only to encode them once (bench/README.md, stdjob).
 */
@HotPath
final class JobFrames {
    private static final int NMJ_EXT = MessageType.NEW_MINING_JOB.wireExtensionType();
    private static final int NMJ_TYPE = MessageType.NEW_MINING_JOB.msgType();
    private static final int SNPH_EXT = MessageType.SET_NEW_PREV_HASH.wireExtensionType();
    private static final int SNPH_TYPE = MessageType.SET_NEW_PREV_HASH.msgType();
    /** channel_id, job_id, min_ntime tag (+ U32 when present), version, merkle_root. */
    private static final int NMJ_PAYLOAD = 4 + 4 + 1 + 4 + 32;
    /** channel_id, job_id, prev_hash, min_ntime, nbits. */
    private static final int SNPH_PAYLOAD = 4 + 4 + 32 + 4 + 4;

    private JobFrames() {
    }

    /** NewMiningJob; min_ntime absent when {@code future}; the merkle root is {@code job}'s (wire order). */
    static void newMiningJob(ByteBuf out, int channelId, int jobId, boolean future, int minNtime, int version,
            ServerJob job) {
        int len = NMJ_PAYLOAD + (future ? 0 : 4);
        byte[] f = SCRATCH.get();
        int p = header(f, NMJ_EXT, NMJ_TYPE, len);
        p = u32(f, p, channelId);
        p = u32(f, p, jobId);
        if (future) {
            f[p++] = 0;
        } else {
            f[p++] = 1;
            p = u32(f, p, minNtime);
        }
        p = u32(f, p, version);
        job.rootInto(f, p);
        out.writeBytes(f, 0, p + 32);
    }

    /** Mining SetNewPrevHash; {@code prevHash}: 32 bytes, wire order. */
    static void setNewPrevHash(ByteBuf out, int channelId, int jobId, byte[] prevHash, int minNtime, int nbits) {
        byte[] f = SCRATCH.get();
        int p = header(f, SNPH_EXT, SNPH_TYPE, SNPH_PAYLOAD);
        p = u32(f, p, channelId);
        p = u32(f, p, jobId);
        System.arraycopy(prevHash, 0, f, p, 32);
        p = u32(f, p + 32, minNtime);
        p = u32(f, p, nbits);
        out.writeBytes(f, 0, p);
    }

    /**
     * The frame is assembled in a per-thread array and appended with one {@code writeBytes}: a direct ByteBuf checks
     * bounds and its reference count on each of the ~10 field writes.
     */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64]);

    /** FrameHeader layout: extension_type U16, msg_type U8, msg_length U24, little-endian. */
    private static int header(byte[] f, int ext, int type, int len) {
        f[0] = (byte) ext;
        f[1] = (byte) (ext >>> 8);
        f[2] = (byte) type;
        f[3] = (byte) len;
        f[4] = (byte) (len >>> 8);
        f[5] = (byte) (len >>> 16);
        return FrameHeader.SIZE;
    }

    private static int u32(byte[] f, int p, int v) {
        f[p] = (byte) v;
        f[p + 1] = (byte) (v >>> 8);
        f[p + 2] = (byte) (v >>> 16);
        f[p + 3] = (byte) (v >>> 24);
        return p + 4;
    }
}
