package org.hyperhash.tp.downstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.testkit.ManualClock;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A template sent to N sessions is serialized once, and the shared frame is exactly the codec's. */
class SharedFramesTest {
    private static byte[] encoded(Sv2Message m) {
        ByteBuf b = Unpooled.buffer();
        try {
            Sv2Codec.encodeFrame(m, b);
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @Test
    void oneSerializationPerMessageInstanceWhateverTheSessions() throws Exception {
        DevnetChain chain = new DevnetChain(DevnetParams.defaults(), ManualClock.ofEpochSecond(1_800_000_000L));
        BlockTemplate gbt = chain.getBlockTemplate();
        var nt = new TemplateFactory(CoinbaseStyle.CORE).build(gbt, 7, true, new OutputReservation(74, 16)).message();
        var p = new SetNewPrevHash(7, gbt.previousBlockHash(), (int) gbt.curTime(), gbt.bits(), gbt.target());
        SharedFrames f = new SharedFrames();
        for (int session = 0; session < 100; session++) {
            ByteBuf a = f.wire(nt);
            ByteBuf b = f.wire(p);
            assertArrayEquals(encoded(nt), ByteBufUtil.getBytes(a));
            assertArrayEquals(encoded(p), ByteBufUtil.getBytes(b));
            a.release();
            b.release();
        }
        assertEquals(2, f.encodes());
        // keyed by identity: an equal but distinct message is serialized on its own (never a stale frame)
        f.frame(new SetNewPrevHash(7, gbt.previousBlockHash(), (int) gbt.curTime(), gbt.bits(), gbt.target()));
        assertEquals(3, f.encodes());
        assertEquals(Sv2Codec.decodeFrame(Unpooled.wrappedBuffer(f.frame(nt))), nt);
    }
}
