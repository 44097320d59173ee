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

    /** NewMiningJob; min_ntime absent when {@code future}. {@code merkleRoot}: 32 bytes, wire order. */
    static void newMiningJob(ByteBuf out, int channelId, int jobId, boolean future, int minNtime, int version,
            byte[] merkleRoot) {
        int len = NMJ_PAYLOAD + (future ? 0 : 4);
        out.ensureWritable(FrameHeader.SIZE + len);
        FrameHeader.write(out, NMJ_EXT, NMJ_TYPE, len);
        out.writeIntLE(channelId);
        out.writeIntLE(jobId);
        if (future) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            out.writeIntLE(minNtime);
        }
        out.writeIntLE(version);
        out.writeBytes(merkleRoot, 0, 32);
    }

    /** Mining SetNewPrevHash; {@code prevHash}: 32 bytes, wire order. */
    static void setNewPrevHash(ByteBuf out, int channelId, int jobId, byte[] prevHash, int minNtime, int nbits) {
        out.ensureWritable(FrameHeader.SIZE + SNPH_PAYLOAD);
        FrameHeader.write(out, SNPH_EXT, SNPH_TYPE, SNPH_PAYLOAD);
        out.writeIntLE(channelId);
        out.writeIntLE(jobId);
        out.writeBytes(prevHash, 0, 32);
        out.writeIntLE(minNtime);
        out.writeIntLE(nbits);
    }
}
