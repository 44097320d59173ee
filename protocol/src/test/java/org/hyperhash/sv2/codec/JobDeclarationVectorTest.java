package org.hyperhash.sv2.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.jd.AllocateMiningJobToken;
import org.hyperhash.sv2.message.jd.AllocateMiningJobTokenSuccess;
import org.hyperhash.sv2.message.jd.DeclareMiningJob;
import org.hyperhash.sv2.message.jd.DeclareMiningJobError;
import org.hyperhash.sv2.message.jd.DeclareMiningJobSuccess;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactions;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactionsSuccess;
import org.hyperhash.sv2.message.jd.PushSolution;
import org.hyperhash.sv2.message.mining.SetCustomMiningJob;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobError;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobSuccess;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden frames for every Job Declaration message and every SetupConnection flag combination the JDS, the pool's
 * work-selection path and the Hyper Node proxy use (including SRI jd-client's mining flags 0b110). DERIVED: the hex
 * is written field by field from the spec's field tables (sv2-spec 05 and 06, sv2-protocol.md 4.2, 5.2, 7) in the
 * field order of SRI's {@code job_declaration_sv2} / {@code mining_sv2} structs; U32 little-endian, STR0_255/B0_255
 * with a U8 length, B0_64K and SEQ0_64K with a U16 LE length/count, B0_16M with a U24 LE length, SEQ0_255 with a
 * U8 count, JD messages never set the channel_msg bit, SetCustomMiningJob(.Success/.Error) do (0x8000). Each frame
 * decodes to the record and the record encodes to the same bytes.
 */
class JobDeclarationVectorTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String P2WPKH_11 = "0014" + "11".repeat(20);
    /** CompactSize 1, value 0, script length 22, P2WPKH: the pool's payout output as AllocateMiningJobToken.Success carries it. */
    private static final String POOL_OUTPUT_ZERO = "01" + "0000000000000000" + "16" + P2WPKH_11;
    /** The same output carrying 50 BTC (00f2052a01000000 LE), as a SetCustomMiningJob carries it. */
    private static final String POOL_OUTPUT_50 = "01" + "00f2052a01000000" + "16" + P2WPKH_11;

    private record Vector(String name, String frameHex, Sv2Message message) {
    }

    static List<Vector> vectors() {
        Hash256 prev = Hash256.fromWireHex("bb".repeat(32));
        return List.of(
                new Vector("SetupConnection mining flags 0b110 (SRI jd-client: work selection + version rolling)",
                        "0000" + "00" + "170000"
                                + "00" + "0200" + "0200" + "06000000" + "04706f6f6c" + "050d" + "036a6463" + "00" + "00" + "00",
                        new SetupConnection(0, 2, 2, 6, "pool", 3333, "jdc", "", "", "")),
                new Vector("SetupConnection mining flags 0b010 (work selection only)",
                        "0000" + "00" + "170000"
                                + "00" + "0200" + "0200" + "02000000" + "04706f6f6c" + "050d" + "036a6463" + "00" + "00" + "00",
                        new SetupConnection(0, 2, 2, 2, "pool", 3333, "jdc", "", "", "")),
                new Vector("SetupConnection job declaration DECLARE_TX_DATA",
                        "0000" + "00" + "170000"
                                + "01" + "0200" + "0200" + "01000000" + "04706f6f6c" + "050d" + "036a6463" + "00" + "00" + "00",
                        new SetupConnection(1, 2, 2, 1, "pool", 3333, "jdc", "", "", "")),
                new Vector("SetupConnection.Success version 2 flags 0",
                        "0000" + "01" + "060000" + "0200" + "00000000",
                        new SetupConnectionSuccess(2, 0)),
                new Vector("SetupConnection.Error missing-declare-tx-data-flag",
                        "0000" + "02" + "210000" + "01000000" + "1c" + hexAscii("missing-declare-tx-data-flag"),
                        new SetupConnectionError(1, "missing-declare-tx-data-flag")),
                new Vector("AllocateMiningJobToken",
                        "0000" + "50" + "080000" + "036a6463" + "01000000",
                        new AllocateMiningJobToken("jdc", 1)),
                new Vector("AllocateMiningJobToken.Success (pool output first, value 0, CompactSize-prefixed)",
                        "0000" + "51" + "2b0000" + "01000000" + "0401020304" + "2000" + POOL_OUTPUT_ZERO,
                        new AllocateMiningJobTokenSuccess(1, Bytes.fromHex("01020304"), Bytes.fromHex(POOL_OUTPUT_ZERO))),
                new Vector("DeclareMiningJob",
                        "0000" + "57" + "3d0000" + "02000000" + "0401020304" + "00000020" + "0400" + "01000000"
                                + "0400" + "ffffffff" + "0100" + "aa".repeat(32) + "0000",
                        new DeclareMiningJob(2, Bytes.fromHex("01020304"), 0x20000000, Bytes.fromHex("01000000"),
                                Bytes.fromHex("ffffffff"), List.of(Hash256.fromWireHex("aa".repeat(32))), Bytes.EMPTY)),
                new Vector("DeclareMiningJob.Success",
                        "0000" + "58" + "090000" + "02000000" + "0405060708",
                        new DeclareMiningJobSuccess(2, Bytes.fromHex("05060708"))),
                new Vector("DeclareMiningJob.Error missing-txs",
                        "0000" + "59" + "120000" + "02000000" + "0b" + hexAscii("missing-txs") + "0000",
                        new DeclareMiningJobError(2, "missing-txs", Bytes.EMPTY)),
                new Vector("ProvideMissingTransactions",
                        "0000" + "55" + "0a0000" + "02000000" + "0200" + "0000" + "0100",
                        new ProvideMissingTransactions(2, List.of(0, 1))),
                new Vector("ProvideMissingTransactions.Success",
                        "0000" + "56" + "0c0000" + "02000000" + "0100" + "030000" + "abcdef",
                        new ProvideMissingTransactionsSuccess(2, List.of(Bytes.fromHex("abcdef")))),
                new Vector("PushSolution",
                        "0000" + "60" + "390000" + "08" + "0001020304050607" + "bb".repeat(32) + "78563412" + "00000065"
                                + "ffff7f20" + "00000020",
                        new PushSolution(Bytes.fromHex("0001020304050607"), prev, 0x12345678, 0x65000000, 0x207fffff,
                                0x20000000)),
                new Vector("SetCustomMiningJob",
                        "0080" + "22" + "8b0000" + "01000000" + "03000000" + "0405060708" + "00000020" + "bb".repeat(32)
                                + "00000065" + "ffff7f20" + "02000000" + "020165" + "ffffffff" + "2000" + POOL_OUTPUT_50
                                + "00000000" + "01" + "cc".repeat(32),
                        new SetCustomMiningJob(1, 3, Bytes.fromHex("05060708"), 0x20000000, prev, 0x65000000, 0x207fffff, 2,
                                Bytes.fromHex("0165"), -1, Bytes.fromHex(POOL_OUTPUT_50), 0,
                                List.of(Hash256.fromWireHex("cc".repeat(32))))),
                new Vector("SetCustomMiningJob.Success",
                        "0080" + "23" + "0c0000" + "01000000" + "03000000" + "07000000",
                        new SetCustomMiningJobSuccess(1, 3, 7)),
                new Vector("SetCustomMiningJob.Error stale-chain-tip",
                        "0080" + "24" + "180000" + "01000000" + "03000000" + "0f" + hexAscii("stale-chain-tip"),
                        new SetCustomMiningJobError(1, 3, "stale-chain-tip")));
    }

    private static String hexAscii(String s) {
        return HEX.formatHex(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @TestFactory
    Stream<DynamicTest> everyFrameDecodesAndEncodesExactly() {
        return vectors().stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            byte[] frame = HEX.parseHex(v.frameHex());
            ByteBuf in = Unpooled.wrappedBuffer(frame);
            assertEquals(v.message(), Sv2Codec.decodeFrame(in), "decode");
            assertEquals(0, in.readableBytes(), "whole frame consumed");
            ByteBuf out = Unpooled.buffer();
            Sv2Codec.encodeFrame(v.message(), out);
            assertEquals(v.frameHex(), ByteBufUtil.hexDump(out), "encode");
            int payloadLength = (frame[3] & 0xff) | (frame[4] & 0xff) << 8 | (frame[5] & 0xff) << 16;
            assertEquals(frame.length - 6, payloadLength, "msg_length");
        }));
    }
}
