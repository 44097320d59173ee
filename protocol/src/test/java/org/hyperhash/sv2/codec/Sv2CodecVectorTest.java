package org.hyperhash.sv2.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.framing.FrameHeader;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.ChannelEndpointChanged;
import org.hyperhash.sv2.message.common.Reconnect;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.extensions.RequestExtensions;
import org.hyperhash.sv2.message.mining.CloseChannel;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobSuccess;
import org.hyperhash.sv2.message.mining.SetExtranoncePrefix;
import org.hyperhash.sv2.message.mining.SetGroupChannel;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.message.mining.UpdateChannel;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.RequestTransactionData;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every entry of sv2_message_encoding_derived.json and sv2_message_encoding_sv2tp.json: the payload
 * decodes to the record built independently from the vector's "fields", and that record re-encodes
 * to identical payload and frame bytes.
 */
class Sv2CodecVectorTest {
    private static final HexFormat HEX = HexFormat.of();

    @TestFactory
    Stream<DynamicTest> derivedVectors() {
        JsonNode vectors = Vectors.json("sv2_message_encoding_derived.json").get("vectors");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : vectors) {
            tests.add(DynamicTest.dynamicTest(v.get("message").asText(), () -> checkDerived(v)));
        }
        assertEquals(26, tests.size(), "vector count");
        return tests.stream();
    }

    private static void checkDerived(JsonNode v) throws Sv2DecodeException {
        Sv2Message expected = expectedDerived(v.get("message").asText(), v.get("fields"));
        MessageType type = expected.type();
        assertEquals(Integer.decode(v.get("msg_type").asText()), type.msgType(), "msg_type");
        assertEquals(v.get("extension_type").asInt(), type.extensionType(), "extension_type");
        assertEquals(v.get("channel_msg").asBoolean(), type.channelMsg(), "channel_msg");
        byte[] payload = HEX.parseHex(v.get("payload_hex").asText());
        byte[] frame = HEX.parseHex(v.get("frame_hex").asText());

        ByteBuf in = Unpooled.wrappedBuffer(payload);
        Sv2Message decoded = Sv2Codec.decode(type.wireExtensionType(), type.msgType(), in);
        assertEquals(expected, decoded);
        assertFalse(in.isReadable());

        assertEquals(v.get("payload_hex").asText(), encodePayloadHex(decoded));
        assertEquals(v.get("frame_hex").asText(), encodeFrameHex(decoded));

        ByteBuf frameBuf = Unpooled.wrappedBuffer(frame);
        assertEquals(expected, Sv2Codec.decodeFrame(frameBuf));
    }

    @TestFactory
    Stream<DynamicTest> sv2tpVectors() {
        JsonNode vectors = Vectors.json("sv2_message_encoding_sv2tp.json").get("vectors");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : vectors) {
            tests.add(DynamicTest.dynamicTest(v.get("name").asText(), () -> checkSv2tp(v)));
        }
        assertEquals(9, tests.size(), "vector count");
        return tests.stream();
    }

    private static void checkSv2tp(JsonNode v) throws Sv2DecodeException {
        JsonNode d = v.get("decoded");
        if (v.has("header_hex")) {
            FrameHeader h = FrameHeader.read(Unpooled.wrappedBuffer(HEX.parseHex(v.get("header_hex").asText())));
            assertEquals(new FrameHeader(d.get("extension_type").asInt(), d.get("msg_type").asInt(), d.get("msg_length").asInt()), h);
            ByteBuf out = Unpooled.buffer();
            h.write(out);
            assertEquals(v.get("header_hex").asText(), ByteBufUtil.hexDump(out));
            return;
        }
        int msgType = Integer.decode(v.get("msg_type").asText());
        Sv2Message expected = switch (msgType) {
            case 0x00 -> new SetupConnection(d.get("protocol").asInt(), d.get("min_version").asInt(),
                    d.get("max_version").asInt(), (int) d.get("flags").asLong(), d.get("endpoint_host").asText(),
                    d.get("endpoint_port").asInt(), d.get("vendor").asText(), d.get("hardware_version").asText(),
                    d.get("firmware").asText(), d.get("device_id").asText());
            case 0x01 -> new SetupConnectionSuccess(d.get("used_version").asInt(), (int) d.get("flags").asLong());
            case 0x02 -> new SetupConnectionError((int) d.get("flags").asLong(), d.get("error_code").asText());
            case 0x71 -> new NewTemplate(d.get("template_id").asLong(), d.get("future_template").asBoolean(),
                    (int) d.get("version").asLong(), (int) d.get("coinbase_tx_version").asLong(),
                    bytes(d, "coinbase_prefix"), (int) d.get("coinbase_tx_input_sequence").asLong(),
                    d.get("coinbase_tx_value_remaining").asLong(), (int) d.get("coinbase_tx_outputs_count").asLong(),
                    bytes(d, "coinbase_tx_outputs"), (int) d.get("coinbase_tx_locktime").asLong(), hashes(d.get("merkle_path")));
            case 0x72 -> new org.hyperhash.sv2.message.template.SetNewPrevHash(d.get("template_id").asLong(),
                    Hash256.fromWireHex(d.get("prev_hash").asText()), (int) d.get("header_timestamp").asLong(),
                    (int) d.get("n_bits").asLong(), target(d, "target"));
            default -> throw new AssertionError("no expectation for msg_type " + msgType);
        };
        byte[] payload = HEX.parseHex(v.get("payload_hex").asText());
        if (v.has("length")) {
            assertEquals(v.get("length").asInt(), payload.length);
        }
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        Sv2Message decoded = Sv2Codec.decode(0, msgType, in);
        assertEquals(expected, decoded);
        assertEquals(v.get("payload_hex").asText(), encodePayloadHex(decoded));
        String frameHex = encodeFrameHex(decoded);
        assertTrue(frameHex.endsWith(v.get("payload_hex").asText()));
        assertEquals(String.format("0000%02x", msgType) + le24Hex(payload.length), frameHex.substring(0, 12));
    }

    @Test
    void legacyCoinbaseOutputDataSizeDecodesAndReencodesAsFourBytes() throws Sv2DecodeException {
        Sv2Message m = Sv2Codec.decode(0, 0x70, Unpooled.wrappedBuffer(HEX.parseHex("64000000")));
        assertEquals(new CoinbaseOutputConstraints(100, OptionalInt.empty()), m);
        assertEquals("64000000", encodePayloadHex(m));
    }

    static String encodePayloadHex(Sv2Message m) {
        ByteBuf out = Unpooled.buffer();
        Sv2Codec.encode(m, out);
        return ByteBufUtil.hexDump(out);
    }

    static String encodeFrameHex(Sv2Message m) {
        ByteBuf out = Unpooled.buffer();
        Sv2Codec.encodeFrame(m, out);
        return ByteBufUtil.hexDump(out);
    }

    private static String le24Hex(int n) {
        return String.format("%02x%02x%02x", n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff);
    }

    private static Bytes bytes(JsonNode f, String name) {
        return Bytes.fromHex(f.get(name).asText());
    }

    private static Target target(JsonNode f, String name) {
        return Target.fromLeBytes(HEX.parseHex(f.get(name).asText()));
    }

    private static int u32(JsonNode f, String name) {
        return (int) f.get(name).asLong();
    }

    private static List<Hash256> hashes(JsonNode arr) {
        List<Hash256> l = new ArrayList<>();
        arr.forEach(n -> l.add(Hash256.fromWireHex(n.asText())));
        return l;
    }

    private static List<Integer> ints(JsonNode arr) {
        List<Integer> l = new ArrayList<>();
        arr.forEach(n -> l.add((int) n.asLong()));
        return l;
    }

    private static OptionalInt optU32(JsonNode f, String name) {
        JsonNode n = f.get(name);
        return n == null || n.isNull() ? OptionalInt.empty() : OptionalInt.of((int) n.asLong());
    }

    /** The record a vector describes, built from its field table (independently of the decoder). */
    private static Sv2Message expectedDerived(String name, JsonNode f) {
        return switch (name) {
            case "OpenExtendedMiningChannel" -> new OpenExtendedMiningChannel(u32(f, "request_id"),
                    f.get("user_identity").asText(), (float) f.get("nominal_hash_rate").asDouble(),
                    target(f, "max_target"), f.get("min_extranonce_size").asInt());
            case "OpenExtendedMiningChannel.Success" -> new OpenExtendedMiningChannelSuccess(u32(f, "request_id"),
                    u32(f, "channel_id"), target(f, "target_le"), f.get("extranonce_size").asInt(),
                    bytes(f, "extranonce_prefix"), u32(f, "group_channel_id"));
            case "NewExtendedMiningJob" -> new NewExtendedMiningJob(u32(f, "channel_id"), u32(f, "job_id"),
                    optU32(f, "min_ntime"), u32(f, "version"), f.get("version_rolling_allowed").asBoolean(),
                    hashes(f.get("merkle_path")), bytes(f, "coinbase_tx_prefix"), bytes(f, "coinbase_tx_suffix"));
            case "SetNewPrevHash(Mining)" -> new org.hyperhash.sv2.message.mining.SetNewPrevHash(u32(f, "channel_id"),
                    u32(f, "job_id"), Hash256.fromWireHex(f.get("prev_hash").asText()), u32(f, "min_ntime"), u32(f, "nbits"));
            case "SubmitSharesExtended" -> new SubmitSharesExtended(u32(f, "channel_id"), u32(f, "sequence_number"),
                    u32(f, "job_id"), u32(f, "nonce"), u32(f, "ntime"), u32(f, "version"), bytes(f, "extranonce"), List.of());
            case "SubmitShares.Success" -> new SubmitSharesSuccess(u32(f, "channel_id"), u32(f, "last_sequence_number"),
                    u32(f, "new_submits_accepted_count"), f.get("new_shares_sum").asLong());
            case "SubmitShares.Error" -> new SubmitSharesError(u32(f, "channel_id"), u32(f, "sequence_number"),
                    f.get("error_code").asText());
            case "SetTarget" -> new SetTarget(u32(f, "channel_id"), target(f, "maximum_target_le"));
            case "OpenStandardMiningChannel" -> new OpenStandardMiningChannel(u32(f, "request_id"),
                    f.get("user_identity").asText(), (float) f.get("nominal_hash_rate").asDouble(), target(f, "max_target"));
            case "OpenStandardMiningChannel.Success" -> new OpenStandardMiningChannelSuccess(u32(f, "request_id"),
                    u32(f, "channel_id"), target(f, "target_le"), bytes(f, "extranonce_prefix"), u32(f, "group_channel_id"));
            case "NewMiningJob", "NewMiningJob(future)" -> new NewMiningJob(u32(f, "channel_id"), u32(f, "job_id"),
                    optU32(f, "min_ntime"), u32(f, "version"), Hash256.fromWireHex(f.get("merkle_root").asText()));
            case "SubmitSharesStandard" -> new SubmitSharesStandard(u32(f, "channel_id"), u32(f, "sequence_number"),
                    u32(f, "job_id"), u32(f, "nonce"), u32(f, "ntime"), u32(f, "version"));
            case "CloseChannel" -> new CloseChannel(u32(f, "channel_id"), f.get("reason_code").asText());
            case "UpdateChannel" -> new UpdateChannel(u32(f, "channel_id"), (float) f.get("nominal_hash_rate").asDouble(),
                    target(f, "maximum_target"));
            case "SetExtranoncePrefix" -> new SetExtranoncePrefix(u32(f, "channel_id"), bytes(f, "extranonce_prefix"));
            case "SetGroupChannel" -> new SetGroupChannel(u32(f, "group_channel_id"), ints(f.get("channel_ids")));
            case "OpenMiningChannel.Error" -> new OpenMiningChannelError(u32(f, "request_id"), f.get("error_code").asText());
            case "SetCustomMiningJob.Success" -> new SetCustomMiningJobSuccess(u32(f, "channel_id"), u32(f, "request_id"),
                    u32(f, "job_id"));
            case "CoinbaseOutputConstraints" -> new CoinbaseOutputConstraints(u32(f, "coinbase_output_max_additional_size"),
                    OptionalInt.of(f.get("coinbase_output_max_additional_sigops").asInt()));
            case "RequestTransactionData" -> new RequestTransactionData(f.get("template_id").asLong());
            case "SetupConnection(Mining)" -> new SetupConnection(f.get("protocol").asInt(), f.get("min_version").asInt(),
                    f.get("max_version").asInt(), u32(f, "flags"), f.get("endpoint_host").asText(),
                    f.get("endpoint_port").asInt(), f.get("vendor").asText(), f.get("hardware_version").asText(),
                    f.get("firmware").asText(), f.get("device_id").asText());
            case "ChannelEndpointChanged" -> new ChannelEndpointChanged(u32(f, "channel_id"));
            case "Reconnect" -> new Reconnect(f.get("new_host").asText(), f.get("new_port").asInt());
            case "RequestExtensions" -> new RequestExtensions(f.get("request_id").asInt(), ints(f.get("requested_extensions")));
            case "SubmitSolution" -> new SubmitSolution(f.get("template_id").asLong(), u32(f, "version"),
                    u32(f, "header_timestamp"), u32(f, "header_nonce"), bytes(f, "coinbase_tx"));
            default -> throw new AssertionError("no expectation builder for vector " + name);
        };
    }
}
