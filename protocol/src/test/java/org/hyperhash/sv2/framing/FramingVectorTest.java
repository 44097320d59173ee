package org.hyperhash.sv2.framing;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.codec.Sv2DecodeException;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Tlv;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FramingVectorTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final JsonNode FRAMING = Vectors.json("sv2_framing_and_tlv.json");

    @Test
    void headerVectorsDecodeAndReencode() throws Sv2DecodeException {
        int n = 0;
        for (JsonNode v : FRAMING.get("header_vectors")) {
            ByteBuf in = Unpooled.wrappedBuffer(HEX.parseHex(v.get("bytes").asText()));
            FrameHeader h = FrameHeader.read(in);
            assertEquals(Integer.decode(v.get("extension_type").asText()), h.extensionType(), v.toString());
            assertEquals(Integer.decode(v.get("msg_type").asText()), h.msgType());
            assertEquals(Integer.decode(v.get("msg_length").asText()), h.msgLength());
            assertEquals(v.get("channel_msg").asBoolean(), h.channelMsg());
            if (v.has("extension_type_without_channel_bit")) {
                assertEquals(Integer.decode(v.get("extension_type_without_channel_bit").asText()), h.extensionTypeWithoutChannelBit());
            }
            ByteBuf out = Unpooled.buffer();
            h.write(out);
            assertEquals(v.get("bytes").asText(), ByteBufUtil.hexDump(out));
            n++;
        }
        assertEquals(4, n);
    }

    @Test
    void channelBitHeaderOfNewMiningJob() {
        assertEquals(new FrameHeader(0x8000, 0x15, 49), FrameHeader.of(MessageType.NEW_MINING_JOB, 49));
        assertEquals(MessageType.NEW_MINING_JOB, new FrameHeader(0x8000, 0x15, 49).messageType());
    }

    @Test
    void truncatedHeaderIsTypedError() {
        Sv2DecodeException e = assertThrows(Sv2DecodeException.class,
                () -> FrameHeader.read(Unpooled.wrappedBuffer(new byte[5])));
        assertEquals("header", e.field());
        assertEquals(Sv2DecodeException.Reason.TRUNCATED, e.reason());
    }

    @Test
    void tlvVectorsInSriLittleEndianForm() throws Sv2DecodeException {
        for (JsonNode v : FRAMING.get("tlv_vectors")) {
            byte[] wire = HEX.parseHex(v.get("bytes").asText());
            Tlv expected = new Tlv(v.get("extension_type").asInt(), v.get("field_type").asInt(),
                    Bytes.wrap(v.get("value_ascii").asText().getBytes(StandardCharsets.US_ASCII)));
            ByteBuf out = Unpooled.buffer();
            TlvCodec.encode(expected, out);
            boolean sriForm = !v.get("interop").asText().startsWith("NOT");
            if (sriForm) {
                assertEquals(v.get("bytes").asText(), ByteBufUtil.hexDump(out));
                ByteBuf in = Unpooled.wrappedBuffer(wire);
                assertEquals(List.of(expected), TlvCodec.decodeAll(in));
                assertFalse(in.isReadable());
            } else {
                // the spec's big-endian example must not be what we produce
                assertNotEquals(v.get("bytes").asText(), ByteBufUtil.hexDump(out));
            }
        }
    }

    @Test
    void userIdentityTlvOver32BytesRejected() {
        ByteBuf in = Unpooled.buffer();
        in.writeShortLE(2).writeByte(1).writeShortLE(33).writeZero(33);
        Sv2DecodeException e = assertThrows(Sv2DecodeException.class, () -> TlvCodec.decodeAll(in));
        assertEquals("tlv[0](0x0002,0x01).user_identity", e.field());
        assertEquals(Sv2DecodeException.Reason.LENGTH_LIMIT, e.reason());
    }

    @Test
    void partialTlvRejected() {
        ByteBuf header = Unpooled.wrappedBuffer(HEX.parseHex("02000104"));
        assertEquals(Sv2DecodeException.Reason.TRUNCATED,
                assertThrows(Sv2DecodeException.class, () -> TlvCodec.decodeAll(header)).reason());
        ByteBuf value = Unpooled.wrappedBuffer(HEX.parseHex("020001040074"));
        Sv2DecodeException e = assertThrows(Sv2DecodeException.class, () -> TlvCodec.decodeAll(value));
        assertTrue(e.getMessage().contains("user_identity"), e.getMessage());
    }

    @Test
    void encryptedLengthTable() {
        List<Map<String, String>> rows = Vectors.csv("sv2_encrypted_length.csv");
        assertEquals(11, rows.size());
        for (Map<String, String> r : rows) {
            int l = Integer.parseInt(r.get("plaintext_payload_len"));
            assertEquals(Integer.parseInt(r.get("encrypted_payload_len")), EncryptedFraming.encryptedPayloadLength(l), r.toString());
            assertEquals(Integer.parseInt(r.get("encrypted_frame_len_incl_22B_header")), EncryptedFraming.encryptedFrameLength(l));
            assertEquals(Integer.parseInt(r.get("noise_chunks")), EncryptedFraming.chunkCount(l));
        }
        assertThrows(IllegalArgumentException.class, () -> EncryptedFraming.encryptedPayloadLength(1 << 24));
        assertThrows(IllegalArgumentException.class, () -> EncryptedFraming.encryptedPayloadLength(-1));
    }
}
