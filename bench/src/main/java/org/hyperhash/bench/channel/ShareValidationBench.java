package org.hyperhash.bench.channel;

import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.channel.ChainTip;
import org.hyperhash.sv2.channel.ChannelConfig;
import org.hyperhash.sv2.channel.ExtendedChannel;
import org.hyperhash.sv2.channel.ExtranonceAllocation;
import org.hyperhash.sv2.channel.JobFactory;
import org.hyperhash.sv2.channel.JobTemplate;
import org.hyperhash.sv2.channel.RejectReason;
import org.hyperhash.sv2.channel.ShareResult;
import org.hyperhash.sv2.channel.StandardChannel;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Server-side share validation through the real channel engine (decoded record in, ShareResult out):
 * a standard-channel share (header-only: 3 SHA-256 compressions) and an extended-channel share with
 * a 12-step merkle path (coinbase txid + 12 merkle nodes + header). The channel target is hard, so
 * every share is fully hashed and then rejected as difficulty-too-low: the hashing work is that of
 * an accepted share, without filling the per-tip duplicate set.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ShareValidationBench {
    /** SHA-256 compressions per extended share (set by setup): coinbase txid + 12 nodes x 3 + header 3. */
    private int extendedCompressions;

    /** Compressions one extended share costs in this setup (Ratios uses it as the row's units per op). */
    public static int extendedShareCompressions() throws Exception {
        ShareValidationBench b = new ShareValidationBench();
        b.setup();
        return b.extendedCompressions;
    }

    private StandardChannel standard;
    private ExtendedChannel extended;
    private int jobIdStd;
    private int jobIdExt;
    private int ntime;
    private int version;
    private int nonce;
    private final Instant now = Instant.ofEpochSecond(1_745_611_105L);
    private Bytes extranonce;

    @Setup
    public void setup() throws Exception {
        Random rnd = new Random(7);
        List<Hash256> path = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] b = new byte[32];
            rnd.nextBytes(b);
            path.add(Hash256.wrap(b));
        }
        byte[] commitment = HexFormat.of().parseHex("6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9");
        byte[] outputs = new byte[8 + 1 + commitment.length];
        outputs[8] = (byte) commitment.length;
        System.arraycopy(commitment, 0, outputs, 9, commitment.length);
        NewTemplate t = new NewTemplate(1, false, 0x20000000, 2, Bytes.fromHex("03a08601"), -1, 312_500_000L, 1,
                Bytes.wrap(outputs), 0, path);
        TxOut payout = new TxOut(312_500_000L, Bytes.fromHex("0014ebe1b7dcc293ccaa0ee743a86f89df8258c208fc"));
        ChannelConfig cfg = ChannelConfig.defaults();
        Target hard = Target.fromBeHex("0000000000000000000000ffff00000000000000000000000000000000000000");
        ChainTip tip = ChainTip.of(1, Hash256.wrap(new byte[32]), 1_745_611_105, 0x1b00d7c0);
        ntime = tip.headerTimestamp();
        version = 0x20000000;

        ExtranonceAllocation stdAlloc = new ExtranonceAllocation(0, Bytes.wrap(new byte[20]), 0);
        standard = new StandardChannel(1, "bench", cfg, null, null, stdAlloc, hard, Target.MAX, 0);
        JobTemplate jtStd = new JobFactory("hh", "").build(t, List.of(payout), standard.fullExtranonceSize());
        jobIdStd = ((SetNewPrevHash) standard.start(jtStd, tip).get(1)).jobId();

        ExtranonceAllocation extAlloc = new ExtranonceAllocation(0, Bytes.wrap(new byte[4]), 16);
        extended = new ExtendedChannel(2, "bench", cfg, null, null, extAlloc, hard, Target.MAX, 0);
        JobTemplate jtExt = new JobFactory("hh", "").build(t, List.of(payout), extended.fullExtranonceSize());
        List<Sv2Message> open = extended.start(jtExt, tip);
        jobIdExt = ((SetNewPrevHash) open.get(1)).jobId();
        extranonce = Bytes.wrap(new byte[16]);
        int coinbaseLen = jtExt.coinbaseTxPrefix().length() + extended.fullExtranonceSize() + jtExt.coinbaseTxSuffix().length();
        // sha256d(coinbase): ceil((len + 9) / 64) blocks, then 1; each merkle node 2 + 1; header 2 + 1
        extendedCompressions = (coinbaseLen + 8) / 64 + 1 + 1 + 12 * 3 + 3;
        expectDifficultyTooLow(standardShare());
        expectDifficultyTooLow(extendedShare12StepPath());
    }

    /** The share must have been fully hashed and judged on difficulty, not rejected early. */
    private static void expectDifficultyTooLow(Object r) {
        if (!(r instanceof ShareResult.Rejected rej) || rej.reason() != RejectReason.DIFFICULTY_TOO_LOW) {
            throw new IllegalStateException("bench share not validated up to the target check: " + r);
        }
    }

    @Benchmark
    public Object standardShare() {
        ShareResult r = standard.onShare(new SubmitSharesStandard(1, nonce, jobIdStd, nonce++, ntime, version), now);
        if (r instanceof ShareResult.Accepted) {
            throw new IllegalStateException("bench target too easy");
        }
        return r;
    }

    @Benchmark
    public Object extendedShare12StepPath() {
        ShareResult r = extended.onShare(new SubmitSharesExtended(2, nonce, jobIdExt, nonce++, ntime, version, extranonce, List.of()), now);
        if (r instanceof ShareResult.Accepted) {
            throw new IllegalStateException("bench target too easy");
        }
        return r;
    }
}
