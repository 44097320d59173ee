package org.hyperhash.sv2.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.hyperhash.sv2.codec.Sv2DecodeException.Reason;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed payloads: every one is a typed error naming the message and the field. */
class Sv2CodecRejectTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] payload(Sv2Message m) {
        ByteBuf out = Unpooled.buffer();
        Sv2Codec.encode(m, out);
        return ByteBufUtil.getBytes(out);
    }

    private static Sv2DecodeException reject(MessageType t, byte[] payload) {
        return assertThrows(Sv2DecodeException.class,
                () -> Sv2Codec.decode(t.wireExtensionType(), t.msgType(), Unpooled.wrappedBuffer(payload)),
                () -> t + " accepted " + HEX.formatHex(payload));
    }

    @Test
    void everySampleRoundTrips() throws Sv2DecodeException {
        for (Map.Entry<MessageType, Sv2Message> e : SampleMessages.all().entrySet()) {
            byte[] p = payload(e.getValue());
            ByteBuf in = Unpooled.wrappedBuffer(p);
            // the channel bit is ignored for dispatch, so decoding with and without it agrees
            assertEquals(e.getValue(), Sv2Codec.decode(e.getKey().extensionType(), e.getKey().msgType(), in));
            assertEquals(e.getValue(), Sv2Codec.decode(e.getKey().extensionType() | 0x8000, e.getKey().msgType(),
                    Unpooled.wrappedBuffer(p)));
            assertEquals(HEX.formatHex(p), HEX.formatHex(payload(Sv2Codec.decode(e.getKey(), Unpooled.wrappedBuffer(p)))));
        }
    }

    @Test
    void everyTruncationIsRejectedNamingMessageAndField() {
        for (Map.Entry<MessageType, Sv2Message> e : SampleMessages.all().entrySet()) {
            MessageType t = e.getKey();
            byte[] full = payload(e.getValue());
            for (int len = 0; len < full.length; len++) {
                byte[] cut = java.util.Arrays.copyOf(full, len);
                if (validPrefix(t, len)) {
                    continue;
                }
                Sv2DecodeException x = reject(t, cut);
                assertEquals(t.specName(), x.messageName(), x.getMessage());
                assertNotNull(x.field());
                assertTrue(x.reason() == Reason.TRUNCATED, x.getMessage());
                assertTrue(x.getMessage().startsWith(t.specName() + "."), x.getMessage());
            }
        }
    }

    /** Prefixes that are complete messages themselves (SubmitSharesExtended: a cut inside a TLV is ignored). */
    private static boolean validPrefix(MessageType t, int len) {
        return (t == MessageType.COINBASE_OUTPUT_CONSTRAINTS && len == 4)
                || (t == MessageType.SUBMIT_SHARES_EXTENDED && len >= 24 + 1 + 8);
    }

    @Test
    void trailingBytesRejected() {
        for (Map.Entry<MessageType, Sv2Message> e : SampleMessages.all().entrySet()) {
            if (e.getKey() == MessageType.SUBMIT_SHARES_EXTENDED) {
                continue; // a trailing byte is a partial TLV there: ignored (SubmitSharesExtendedTlvTest)
            }
            byte[] full = payload(e.getValue());
            byte[] longer = java.util.Arrays.copyOf(full, full.length + 1);
            Sv2DecodeException x = reject(e.getKey(), longer);
            assertEquals(Reason.TRAILING_BYTES, x.reason(), x.getMessage());
            assertEquals("payload", x.field());
            assertEquals(e.getKey().specName(), x.messageName());
        }
    }

    @Test
    void b032LengthPrefixOver32Rejected() {
        // SetExtranoncePrefix: channel_id, extranonce_prefix B0_32 with length 33
        byte[] p = new byte[4 + 1 + 33];
        p[4] = 33;
        Sv2DecodeException x = reject(MessageType.SET_EXTRANONCE_PREFIX, p);
        assertEquals("SetExtranoncePrefix.extranonce_prefix: length 33 exceeds B0_32 limit 32", x.getMessage());
        assertEquals(Reason.LENGTH_LIMIT, x.reason());
    }

    @Test
    void lengthPrefixBeyondPayloadRejected() {
        // SubmitSolution: template_id U64, version, header_timestamp, header_nonce, coinbase_tx B0_64K
        // declaring 93 bytes but carrying 10 (the shape of the broken upstream sv2-tp buffer)
        ByteBuf p = Unpooled.buffer();
        p.writeLongLE(1).writeIntLE(2).writeIntLE(3).writeIntLE(4).writeShortLE(93).writeZero(10);
        Sv2DecodeException x = reject(MessageType.SUBMIT_SOLUTION, ByteBufUtil.getBytes(p));
        assertEquals("coinbase_tx", x.field());
        assertEquals(Reason.TRUNCATED, x.reason());
    }

    @Test
    void optionCountAboveOneRejected() {
        // NewMiningJob channel_id, job_id, min_ntime OPTION with count 2
        ByteBuf p = Unpooled.buffer();
        p.writeIntLE(1).writeIntLE(2).writeByte(2).writeIntLE(3).writeIntLE(4).writeIntLE(5).writeZero(32);
        Sv2DecodeException x = reject(MessageType.NEW_MINING_JOB, ByteBufUtil.getBytes(p));
        assertEquals("NewMiningJob.min_ntime: OPTION count 2 (must be 0 or 1)", x.getMessage());
        assertEquals(Reason.INVALID_OPTION, x.reason());
    }

    @Test
    void sequenceCountBeyondPayloadRejectedBeforeAllocation() {
        // SetGroupChannel with 65535 channel ids announced and 4 bytes present
        ByteBuf p = Unpooled.buffer();
        p.writeIntLE(100).writeShortLE(65535).writeIntLE(1);
        Sv2DecodeException x = reject(MessageType.SET_GROUP_CHANNEL, ByteBufUtil.getBytes(p));
        assertEquals("channel_ids", x.field());
        assertEquals(Reason.TRUNCATED, x.reason());
    }

    @Test
    void sequenceElementErrorsNameTheIndex() {
        // ProvideMissingTransactions.Success: second B0_16M element truncated
        ByteBuf p = Unpooled.buffer();
        p.writeIntLE(6).writeShortLE(2).writeMediumLE(1).writeByte(7).writeMediumLE(5).writeByte(1);
        Sv2DecodeException x = reject(MessageType.PROVIDE_MISSING_TRANSACTIONS_SUCCESS, ByteBufUtil.getBytes(p));
        assertEquals("transaction_list[1]", x.field());
    }

    @Test
    void invalidUtf8InStringRejected() {
        ByteBuf p = Unpooled.buffer();
        p.writeIntLE(7).writeByte(2).writeByte(0xc3).writeByte(0x28);
        Sv2DecodeException x = reject(MessageType.OPEN_MINING_CHANNEL_ERROR, ByteBufUtil.getBytes(p));
        assertEquals("OpenMiningChannel.Error.error_code: STR0_255 is not valid UTF-8", x.getMessage());
        assertEquals(Reason.INVALID_UTF8, x.reason());
    }

    @Test
    void boolReadsBitZeroOnly() throws Sv2DecodeException {
        Sv2Message m = SampleMessages.all().get(MessageType.NEW_TEMPLATE);
        byte[] p = payload(m);
        p[8] = 0x02; // future_template: bit 0 clear
        assertEquals(false, ((org.hyperhash.sv2.message.template.NewTemplate) Sv2Codec.decode(0, 0x71, Unpooled.wrappedBuffer(p))).futureTemplate());
        p[8] = (byte) 0xff;
        assertEquals(true, ((org.hyperhash.sv2.message.template.NewTemplate) Sv2Codec.decode(0, 0x71, Unpooled.wrappedBuffer(p))).futureTemplate());
    }

    @Test
    void coinbaseOutputConstraintsFiveBytesRejected() {
        Sv2DecodeException x = reject(MessageType.COINBASE_OUTPUT_CONSTRAINTS, HEX.parseHex("6400000090"));
        assertEquals("coinbase_output_max_additional_sigops", x.field());
        assertEquals(new CoinbaseOutputConstraints(100, OptionalInt.of(400)),
                assertDoesNotThrowDecode(MessageType.COINBASE_OUTPUT_CONSTRAINTS, HEX.parseHex("640000009001")));
    }

    @Test
    void submitSharesExtendedKeepsUnknownTlvsAndReencodesThem() throws Sv2DecodeException {
        SubmitSharesExtended s = (SubmitSharesExtended) SampleMessages.all().get(MessageType.SUBMIT_SHARES_EXTENDED);
        ByteBuf p = Unpooled.buffer();
        Sv2Codec.encode(s, p);
        p.writeShortLE(0x4001).writeByte(7).writeShortLE(2).writeShort(0xabcd);
        byte[] bytes = ByteBufUtil.getBytes(p);
        SubmitSharesExtended d = (SubmitSharesExtended) Sv2Codec.decode(0x8000, 0x1b, Unpooled.wrappedBuffer(bytes));
        assertEquals(2, d.tlvs().size());
        assertEquals(0x4001, d.tlvs().get(1).extensionType());
        assertEquals(HEX.formatHex(bytes), HEX.formatHex(payload(d)));
    }

    @Test
    void unknownMessageIsTyped() {
        Sv2DecodeException x = assertThrows(Sv2DecodeException.class,
                () -> Sv2Codec.decode(0x0005, 0x01, Unpooled.buffer()));
        assertEquals(Reason.UNKNOWN_MESSAGE, x.reason());
        assertThrows(Sv2DecodeException.class, () -> Sv2Codec.decode(0, 0x1e, Unpooled.buffer()));
    }

    @Test
    void frameWithWrongMsgLengthRejected() {
        ByteBuf f = Unpooled.buffer();
        f.writeShortLE(0).writeByte(0x73).writeMediumLE(9).writeLongLE(1);
        Sv2DecodeException x = assertThrows(Sv2DecodeException.class, () -> Sv2Codec.decodeFrame(f));
        assertEquals("msg_length", x.field());
    }

    private static Sv2Message assertDoesNotThrowDecode(MessageType t, byte[] p) {
        try {
            return Sv2Codec.decode(t, Unpooled.wrappedBuffer(p));
        } catch (Sv2DecodeException e) {
            throw new AssertionError(e);
        }
    }
}
