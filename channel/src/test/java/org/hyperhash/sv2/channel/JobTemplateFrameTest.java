package org.hyperhash.sv2.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.OptionalInt;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.junit.jupiter.api.Test;

/** The once-encoded extended job frame, patched per channel, is byte-identical to encoding each job. */
class JobTemplateFrameTest {

    static byte[] encoded(NewExtendedMiningJob m) {
        ByteBuf b = Unpooled.buffer();
        try {
            Sv2Codec.encodeFrame(m, b);
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    static byte[] viaTemplate(JobTemplate t, NewExtendedMiningJob m) {
        ByteBuf b = Unpooled.buffer();
        try {
            b.writeByte(0x5a); // not at offset 0: the patch must be relative to the frame start
            t.writeExtendedJobFrame(m, b);
            b.skipBytes(1);
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @Test
    void patchedFrameMatchesFullEncoding() throws Exception {
        JobTemplate t = ShareValidationVectorsTest.job(ShareValidationVectorsTest.kase("ext_valid"), 32);
        int[][] ids = {{1, 1}, {7, 2}, {0xfffffffe, 0x80000001}, {3, 3}};
        OptionalInt[] ntimes = {OptionalInt.empty(), OptionalInt.of(1700000000), OptionalInt.of(1700000001)};
        for (OptionalInt nt : ntimes) {
            for (boolean vr : new boolean[] {true, false}) {
                for (int[] id : ids) {
                    NewExtendedMiningJob m = t.toNewExtendedMiningJob(id[0], id[1], nt, vr);
                    assertArrayEquals(encoded(m), viaTemplate(t, m), "ids " + id[0] + "/" + id[1] + " " + nt + " " + vr);
                }
            }
        }
        assertSame(t.asFuture(), t.asFuture());
        // a job not made from this template is encoded as it is
        NewExtendedMiningJob foreign = new NewExtendedMiningJob(4, 9, OptionalInt.empty(), t.version(), true, List.of(),
                Bytes.fromHex("0100000001"), Bytes.fromHex("ffffffff00000000"));
        assertArrayEquals(encoded(foreign), viaTemplate(t, foreign));
    }
}
