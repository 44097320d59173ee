package org.hyperhash.sv2.codec;

import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.Tlv;
import org.hyperhash.sv2.message.common.ChannelEndpointChanged;
import org.hyperhash.sv2.message.common.Reconnect;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.extensions.RequestExtensions;
import org.hyperhash.sv2.message.extensions.RequestExtensionsError;
import org.hyperhash.sv2.message.extensions.RequestExtensionsSuccess;
import org.hyperhash.sv2.message.jd.AllocateMiningJobToken;
import org.hyperhash.sv2.message.jd.AllocateMiningJobTokenSuccess;
import org.hyperhash.sv2.message.jd.DeclareMiningJob;
import org.hyperhash.sv2.message.jd.DeclareMiningJobError;
import org.hyperhash.sv2.message.jd.DeclareMiningJobSuccess;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactions;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactionsSuccess;
import org.hyperhash.sv2.message.jd.PushSolution;
import org.hyperhash.sv2.message.mining.CloseChannel;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetCustomMiningJob;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobError;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobSuccess;
import org.hyperhash.sv2.message.mining.SetExtranoncePrefix;
import org.hyperhash.sv2.message.mining.SetGroupChannel;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.message.mining.UpdateChannel;
import org.hyperhash.sv2.message.mining.UpdateChannelError;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.RequestTransactionData;
import org.hyperhash.sv2.message.template.RequestTransactionDataError;
import org.hyperhash.sv2.message.template.RequestTransactionDataSuccess;
import org.hyperhash.sv2.message.template.SubmitSolution;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** One non-trivial instance of each of the 44 message types (test fixture, shared by codec/netty/fuzz tests). */
public final class SampleMessages {
    private static final Hash256 H1 = Hash256.fromWireHex("17cd48869956dc99e01cd892e478e39dd563a0a3803b8bbe9e3e000000000000");
    private static final Hash256 H2 = Hash256.fromWireHex("f4affb67aa6f596ff5fda7637ee7aa99ae45fbf30577914c136bd79ba624e4d2");
    private static final Target T = Target.fromBeHex("00000000ffff0000000000000000000000000000000000000000000000000000");

    private SampleMessages() {
    }

    /** One sample per type, in MessageType order; the map covers every enum constant. */
    public static Map<MessageType, Sv2Message> all() {
        Map<MessageType, Sv2Message> m = new EnumMap<>(MessageType.class);
        for (Sv2Message s : List.of(
                new SetupConnection(0, 2, 2, 6, "pool.example", 3333, "hyperhash", "hw-é", "fw", "dev-1"),
                new SetupConnectionSuccess(2, 3),
                new SetupConnectionError(7, "unsupported-feature-flags"),
                new ChannelEndpointChanged(0x80000001),
                new Reconnect("other.example", 3334),
                new OpenStandardMiningChannel(7, "bc1qworker.rig1", 1.5e12f, T),
                new OpenStandardMiningChannelSuccess(7, 1, T, Bytes.fromHex("0102030405060708090a0b0c0d0e0f10"), 100),
                new OpenMiningChannelError(7, "unknown-user"),
                new OpenExtendedMiningChannel(8, "user", 1000f, Target.MAX, 8),
                new OpenExtendedMiningChannelSuccess(8, 2, T, 16, Bytes.fromHex("01000002"), 100),
                new NewMiningJob(1, 2, OptionalInt.empty(), 0x20000000, H2),
                new UpdateChannel(1, 2.5e9f, T),
                new UpdateChannelError(1, "invalid-channel-id"),
                new CloseChannel(1, "shutdown"),
                new SetExtranoncePrefix(1, Bytes.fromHex("aabbccdd")),
                new SubmitSharesStandard(1, 2, 3, 0xdeadbeef, 1745611105, 0x20000000),
                new SubmitSharesExtended(1, 2, 3, 4, 5, 6, Bytes.fromHex("0100000000000000"),
                        List.of(new Tlv(Tlv.EXT_WORKER_HASHRATE, Tlv.FIELD_USER_IDENTITY,
                                Bytes.wrap("Worker_001".getBytes(StandardCharsets.US_ASCII))))),
                new SubmitSharesSuccess(1, 10, 10, -1L),
                new SubmitSharesError(1, 2, "stale-share"),
                new NewExtendedMiningJob(1, 9, OptionalInt.of(1745611105), 0x20000000, true, List.of(H1, H2),
                        Bytes.fromHex("0200000001"), Bytes.fromHex("ffffffff00")),
                new org.hyperhash.sv2.message.mining.SetNewPrevHash(1, 9, H1, 1745611105, 0x1d00ffff),
                new SetTarget(1, T),
                new SetCustomMiningJob(1, 4, Bytes.fromHex("0a0b"), 0x20000000, H1, 1745611105, 0x1d00ffff, 2,
                        Bytes.fromHex("03012100"), 0xffffffff, Bytes.fromHex("0100000000000000036a012a"), 0, List.of(H2)),
                new SetCustomMiningJobSuccess(1, 4, 77),
                new SetCustomMiningJobError(1, 4, "invalid-mining-job-token"),
                new SetGroupChannel(100, List.of(1, 2, 0xffffffff)),
                new AllocateMiningJobToken("jdc-user", 5),
                new AllocateMiningJobTokenSuccess(5, Bytes.fromHex("00112233"), Bytes.fromHex("01000000000000000000")),
                new ProvideMissingTransactions(6, List.of(0, 1, 65535)),
                new ProvideMissingTransactionsSuccess(6, List.of(Bytes.fromHex("01"), Bytes.EMPTY, Bytes.fromHex("020304"))),
                new DeclareMiningJob(6, Bytes.fromHex("0a"), 0x20000000, Bytes.fromHex("0102"), Bytes.fromHex("0304"),
                        List.of(H1, H2), Bytes.fromHex("ee")),
                new DeclareMiningJobSuccess(6, Bytes.fromHex("0b")),
                new DeclareMiningJobError(6, "missing-txs", Bytes.fromHex("00ff")),
                new PushSolution(Bytes.fromHex("0102030405060708"), H1, 1, 2, 3, 4),
                new CoinbaseOutputConstraints(100, OptionalInt.of(400)),
                new NewTemplate(1, true, 0x20000000, 2, Bytes.fromHex("03012100"), 0xffffffff, 5_000_000_000L, 1,
                        Bytes.fromHex("0100000000000000036a012a"), 0, List.of(H1)),
                new org.hyperhash.sv2.message.template.SetNewPrevHash(2, H1, 1661877399, 0x037fffff, T),
                new RequestTransactionData(3),
                new RequestTransactionDataSuccess(3, Bytes.fromHex("99"), List.of(Bytes.fromHex("0200000000"), Bytes.fromHex("01"))),
                new RequestTransactionDataError(3, "template-id-not-found"),
                new SubmitSolution(1, 0x20000000, 1745596971, 7, Bytes.fromHex("020000000001")),
                new RequestExtensions(1, List.of(2)),
                new RequestExtensionsSuccess(1, List.of(2, 3)),
                new RequestExtensionsError(1, List.of(9), List.of(2)))) {
            if (m.put(s.type(), s) != null) {
                throw new IllegalStateException("duplicate sample " + s.type());
            }
        }
        if (m.size() != MessageType.values().length) {
            throw new IllegalStateException("samples missing: " + m.size());
        }
        return m;
    }
}
