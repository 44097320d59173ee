package org.hyperhash.sv2.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.Tlv;
import org.hyperhash.sv2.message.extensions.ExtensionNegotiation;
import org.hyperhash.sv2.message.extensions.RequestExtensions;
import org.hyperhash.sv2.message.extensions.RequestExtensionsError;
import org.hyperhash.sv2.message.extensions.RequestExtensionsSuccess;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.netty.MessageCodecHandler;
import org.hyperhash.sv2.netty.NonUtf8Message;
import org.junit.jupiter.api.Test;

/**
 * Extension 0x0002 on the wire (golden bytes in SRI's little-endian TLV layout), lenient TLV decoding, non-UTF-8
 * strings delivered instead of closing, and the 0x0001 negotiation answer.
 */
class SubmitSharesExtendedTlvTest {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * SubmitSharesExtended(channel 1, seq 2, job 3, nonce 0x04030201, ntime 0x65000000, version 0x20000000,
     * extranonce 00..07) + TLV (0x0002, 0x01) "Worker_001", framed. Derived by hand from SRI's layout
     * (parsers-sv2 tlv/codec.rs and TlvList::build_frame_bytes_with_tlvs): header ext 0x8000 LE, msg_type 0x1b,
     * U24 LE length; TLV = 02 00 | 01 | 0a 00 | value. The spec's example (00 02 01 00 0a) is big-endian: not
     * what SRI sends, so not what we send.
     */
    static final String GOLDEN_FRAME = "00801b300000"
            + "01000000" + "02000000" + "03000000" + "01020304" + "00000065" + "00000020"
            + "08" + "0001020304050607"
            + "0200010a00" + "576f726b65725f303031";

    static SubmitSharesExtended share(List<Tlv> tlvs) {
        return new SubmitSharesExtended(1, 2, 3, 0x04030201, 0x65000000, 0x20000000,
                Bytes.fromHex("0001020304050607"), tlvs);
    }

    @Test
    void workerTlvGoldenFrame() throws Exception {
        SubmitSharesExtended s = share(List.of(new Tlv(0x0002, 0x01,
                Bytes.wrap("Worker_001".getBytes(StandardCharsets.US_ASCII)))));
        ByteBuf out = Unpooled.buffer();
        Sv2Codec.encodeFrame(s, out);
        assertEquals(GOLDEN_FRAME, ByteBufUtil.hexDump(out));
        assertEquals(s, Sv2Codec.decodeFrame(Unpooled.wrappedBuffer(HEX.parseHex(GOLDEN_FRAME))));
    }

    @Test
    void oversizedUnexpectedAndPartialTlvsAreKeptOrIgnoredNotFatal() throws Exception {
        ByteBuf p = Unpooled.buffer();
        Sv2Codec.encode(share(List.of()), p);
        p.writeShortLE(0x0002).writeByte(0x01).writeShortLE(40).writeBytes(new byte[40]); // 40-byte worker TLV
        p.writeShortLE(0x4abc).writeByte(0x09).writeShortLE(1).writeByte(7); // unknown extension
        p.writeShortLE(0x0002).writeByte(0x01).writeShortLE(30).writeByte(1); // partial: ignored
        SubmitSharesExtended d = (SubmitSharesExtended) Sv2Codec.decode(0x8000, 0x1b, p);
        assertEquals(2, d.tlvs().size());
        assertEquals(40, d.tlvs().get(0).value().length());
        assertEquals(0x4abc, d.tlvs().get(1).extensionType());
        assertTrue(!p.isReadable());
    }

    @Test
    void nonUtf8UserIdentityIsDeliveredNotFatal() {
        ByteBuf payload = Unpooled.buffer();
        payload.writeIntLE(7); // request_id
        payload.writeByte(3).writeByte('a').writeByte(0xc3).writeByte(0x28); // user_identity: not UTF-8
        payload.writeIntLE(Float.floatToIntBits(1e12f));
        payload.writeBytes(new byte[32]).setByte(payload.writerIndex() - 1, 0xff);
        ByteBuf frame = Unpooled.buffer();
        frame.writeShortLE(0).writeByte(0x10).writeMediumLE(payload.readableBytes()).writeBytes(payload);
        EmbeddedChannel ch = new EmbeddedChannel(new MessageCodecHandler(false));
        ch.writeInbound(frame);
        NonUtf8Message m = assertInstanceOf(NonUtf8Message.class, ch.readInbound());
        OpenStandardMiningChannel o = assertInstanceOf(OpenStandardMiningChannel.class, m.message());
        assertEquals(7, o.requestId());
        assertEquals("user_identity", m.field());
        assertTrue(ch.isOpen(), "the connection stays open");
        ch.finishAndReleaseAll();
    }

    @Test
    void requestExtensionsAnswered() {
        Set<Integer> pool = Set.of(ExtensionNegotiation.WORKER_HASHRATE_TRACKING);
        assertEquals(new RequestExtensionsSuccess(5, List.of(2)),
                ExtensionNegotiation.answer(new RequestExtensions(5, List.of(2, 0x4001)), pool));
        assertEquals(new RequestExtensionsError(6, List.of(0x4001), List.of()),
                ExtensionNegotiation.answer(new RequestExtensions(6, List.of(0x4001)), pool));
        assertEquals(new RequestExtensionsSuccess(7, List.of()),
                ExtensionNegotiation.answer(new RequestExtensions(7, List.of()), Set.of()));
        assertEquals(Set.of(2), ExtensionNegotiation.agreed(new RequestExtensionsSuccess(5, List.of(2))));
    }
}
