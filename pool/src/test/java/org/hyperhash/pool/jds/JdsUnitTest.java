package org.hyperhash.pool.jds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxOut;
import org.hyperhash.jdc.CustomJob;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.TestClock;
import org.hyperhash.pool.identity.PoolNetwork;
import org.hyperhash.sv2.channel.ChainTip;
import org.hyperhash.sv2.message.mining.SetCustomMiningJob;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;
import org.junit.jupiter.api.Test;

/**
 * The JDS's sans-I/O parts: declared coinbase parsing (both ends agree: a coinbase built by the Hyper Node's
 * {@link CustomJob} parses back and the mining port's custom JobTemplate hashes to the same txid), token caps, single
 * use and expiry, and every SetCustomMiningJob.Error code {@link CustomJobs} can return.
 */
class JdsUnitTest {
    static final Bytes POOL = PoolNetwork.DEVNET.parse(PoolHarness.address(0));
    static final int EXTRANONCE = 13;

    static BuiltTemplate template() {
        DevnetChain chain = new DevnetChain(DevnetParams.defaults(), java.time.InstantSource.system());
        return new TemplateFactory(CoinbaseStyle.values()[0]).build(chain.getBlockTemplate(), 7, false,
                OutputReservation.NONE);
    }

    static CustomJob job(BuiltTemplate bt, Bytes script) {
        return CustomJob.build(bt.message(), bt.transactionData(), TxOut.serializeCounted(List.of(new TxOut(0, script))),
                EXTRANONCE);
    }

    @Test
    void declaredCoinbaseParsesWhatTheHyperNodeBuildsAndRejectsGarbage() throws Exception {
        BuiltTemplate bt = template();
        CustomJob j = job(bt, POOL);
        DeclaredCoinbase cb = DeclaredCoinbase.parse(j.declaredPrefix(), j.declaredSuffix());
        assertTrue(cb.segwit(), "devnet templates carry a witness commitment");
        assertEquals(EXTRANONCE, cb.extranonceSize());
        assertEquals(bt.message().coinbasePrefix(), cb.scriptSigPrefix());
        assertEquals(j.outputs(), cb.outputs());
        assertEquals(bt.message().coinbaseTxValueRemaining(), cb.outputs().getFirst().valueSats(), "pool output funded");
        Bytes full = Bytes.wrap(new byte[EXTRANONCE]);
        Transaction tx = Transaction.parse(cb.withExtranonce(full));
        assertTrue(tx.isCoinbase());

        Bytes p = j.declaredPrefix();
        Bytes s = j.declaredSuffix();
        assertThrows(DeclaredCoinbase.InvalidCoinbaseException.class, () -> DeclaredCoinbase.parse(p.slice(0, 10), s));
        assertThrows(DeclaredCoinbase.InvalidCoinbaseException.class, () -> DeclaredCoinbase.parse(p, s.concat(Bytes.of((byte) 0))));
        assertThrows(DeclaredCoinbase.InvalidCoinbaseException.class, () -> DeclaredCoinbase.parse(p, s.slice(0, s.length() - 1)));
        byte[] twoInputs = p.toArray();
        twoInputs[6] = 2; // input count after version + marker/flag
        assertThrows(DeclaredCoinbase.InvalidCoinbaseException.class, () -> DeclaredCoinbase.parse(Bytes.wrap(twoInputs), s));
        byte[] prevout = p.toArray();
        prevout[8] = 1;
        assertThrows(DeclaredCoinbase.InvalidCoinbaseException.class, () -> DeclaredCoinbase.parse(Bytes.wrap(prevout), s));
        assertThrows(DeclaredCoinbase.InvalidCoinbaseException.class, () -> DeclaredCoinbase.parse(Bytes.EMPTY, Bytes.EMPTY));
    }

    @Test
    void payoutRuleAndWitnessCommitment() throws Exception {
        JobDeclarator jds = new JobDeclarator(org.hyperhash.pool.PoolConfig.Jds.disabled(), POOL, null,
                new JdsMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), java.time.InstantSource.system());
        BuiltTemplate bt = template();
        CustomJob ok = job(bt, POOL);
        assertNull(jds.checkOutputs(ok.outputs()));
        assertNotNull(jds.checkOutputs(job(bt, PoolNetwork.DEVNET.parse(PoolHarness.address(5))).outputs()), "no pool output");
        List<TxOut> skim = new ArrayList<>(ok.outputs());
        skim.add(new TxOut(1, PoolNetwork.DEVNET.parse(PoolHarness.address(5))));
        assertNotNull(jds.checkOutputs(skim), "value to another output");
        List<TxOut> empty = new ArrayList<>(ok.outputs());
        empty.set(0, new TxOut(0, POOL));
        assertNotNull(jds.checkOutputs(empty), "unfunded pool output");

        DeclaredCoinbase cb = DeclaredCoinbase.parse(ok.declaredPrefix(), ok.declaredSuffix());
        assertNull(JobDeclarator.checkWitnessCommitment(cb, ok.wtxids(), true));
        List<Hash256> other = new ArrayList<>(ok.wtxids());
        other.set(0, Hash256.ZERO.equals(other.getFirst()) ? Hash256.fromWireHex("01".repeat(32)) : Hash256.ZERO);
        assertNotNull(JobDeclarator.checkWitnessCommitment(cb, other, true), "commitment to other wtxids");
    }

    @Test
    void tokensAreCappedSingleUseAndExpire() {
        TestClock clock = new TestClock();
        JobTokens t = new JobTokens(clock, Duration.ofMinutes(10), 2, 3);
        Bytes a = t.allocate(1, "u");
        Bytes b = t.allocate(1, "u");
        assertNull(t.allocate(1, "u"), "per-connection cap");
        assertNotNull(t.allocate(2, "v"), "other connections unaffected");
        assertNull(t.take(a, 2), "another connection's token");
        assertNotNull(t.take(a, 1));
        assertNull(t.take(a, 1), "single use");
        assertNotNull(t.allocate(1, "u"), "a used token frees its slot");
        clock.advance(Duration.ofMinutes(11));
        assertNull(t.take(b, 1), "expired");
        Bytes c = t.allocate(3, "w");
        assertNotNull(t.peekAllocated(c));
        t.connectionClosed(3);
        assertNull(t.peekAllocated(c), "a closed connection's unused tokens go");
        DeclaredCoinbase cb = null;
        JobTokens.Declared d1 = t.declare(1, "u", 1, cb, List.of(), List.of());
        JobTokens.Declared d2 = t.declare(1, "u", 1, cb, List.of(), List.of());
        t.declare(1, "u", 1, cb, List.of(), List.of());
        t.declare(1, "u", 1, cb, List.of(), List.of());
        assertNull(t.declared(d1.token()), "oldest declared job dropped beyond the cap");
        assertNotNull(t.declared(d2.token()));
        assertTrue(d2.customTemplateId() < 0, "never a TDP template id of the pool's own templates");
        assertNull(t.byTemplateId(d1.customTemplateId()), "dropped for blocks too");
        clock.advance(Duration.ofMinutes(11));
        assertNull(t.declared(d2.token()), "declared tokens expire");
        assertNotNull(t.byTemplateId(d2.customTemplateId()), "a block found just before expiry is still rebuilt");

        JobTokens small = new JobTokens(clock, Duration.ofMinutes(10), 2, 100, 10);
        JobTokens.Declared big1 = small.declare(1, "u", 1, cb, List.of(Bytes.wrap(new byte[8])), List.of(Hash256.ZERO));
        JobTokens.Declared big2 = small.declare(1, "u", 1, cb, List.of(Bytes.wrap(new byte[8])), List.of(Hash256.ZERO));
        assertNull(small.declared(big1.token()), "byte bound drops the oldest");
        assertNotNull(small.declared(big2.token()), "the newest is always kept");
    }

    @Test
    void everySetCustomMiningJobErrorCode() throws Exception {
        TestClock clock = new TestClock();
        BuiltTemplate bt = template();
        CustomJob j = job(bt, POOL);
        JobTokens tokens = new JobTokens(clock, Duration.ofMinutes(10), 8, 8);
        DeclaredCoinbase cb = DeclaredCoinbase.parse(j.declaredPrefix(), j.declaredSuffix());
        List<Hash256> txids = bt.transactionData().stream().map(r -> Transaction.parse(r).txid()).toList();
        JobTokens.Declared d = tokens.declare(1, "u", j.version(), cb, bt.transactionData(), txids);
        Hash256 prev = bt.previousBlockHash();
        int nbits = bt.source().bits();
        int ntime = (int) clock.instant().getEpochSecond();
        ChainTip tip = ChainTip.of(1, prev, ntime, nbits);
        SetCustomMiningJob good = j.setCustomMiningJob(1, 1, d.token(), prev, ntime, nbits);
        Instant now = clock.instant();

        CustomJobs.Accepted a = assertInstanceOf(CustomJobs.Accepted.class,
                CustomJobs.check(good, tokens, tip, EXTRANONCE, now, 7200));
        Bytes full = Bytes.wrap(new byte[EXTRANONCE]);
        assertEquals(Transaction.parse(j.coinbase(full)).txid(), a.template().coinbaseTxid(full),
                "the pool's custom job and the Hyper Node's coinbase are the same transaction");
        assertEquals(MerkleBranch.coinbasePath(txids), a.template().merklePath());
        assertEquals(d.customTemplateId(), a.template().templateId());

        assertRefused(JdsMetrics.CustomJob.INVALID_MINING_JOB_TOKEN, good, m -> with(m, Bytes.fromHex("00")), tokens, tip);
        assertRefused(JdsMetrics.CustomJob.STALE_CHAIN_TIP, good, m -> m, tokens, null);
        assertRefused(JdsMetrics.CustomJob.STALE_CHAIN_TIP, good, m -> m, tokens, ChainTip.of(1, Hash256.ZERO, ntime, nbits));
        assertRefused(JdsMetrics.CustomJob.INVALID_NBITS, good, m -> m, tokens, ChainTip.of(1, prev, ntime, nbits - 1));
        assertRefused(JdsMetrics.CustomJob.INVALID_MIN_NTIME, good, m -> m, tokens, ChainTip.of(1, prev, ntime + 3600, nbits));
        assertRefused(JdsMetrics.CustomJob.INVALID_VERSION, good, m -> new SetCustomMiningJob(m.channelId(), m.requestId(),
                m.miningJobToken(), m.version() ^ 1, m.prevHash(), m.minNtime(), m.nbits(), m.coinbaseTxVersion(),
                m.coinbasePrefix(), m.coinbaseTxInputNSequence(), m.coinbaseTxOutputs(), m.coinbaseTxLocktime(),
                m.merklePath()), tokens, tip);
        assertRefused(JdsMetrics.CustomJob.INVALID_COINBASE_TX_VERSION, good, m -> new SetCustomMiningJob(m.channelId(),
                m.requestId(), m.miningJobToken(), m.version(), m.prevHash(), m.minNtime(), m.nbits(), 1,
                m.coinbasePrefix(), m.coinbaseTxInputNSequence(), m.coinbaseTxOutputs(), m.coinbaseTxLocktime(),
                m.merklePath()), tokens, tip);
        assertRefused(JdsMetrics.CustomJob.INVALID_COINBASE_PREFIX, good, m -> new SetCustomMiningJob(m.channelId(),
                m.requestId(), m.miningJobToken(), m.version(), m.prevHash(), m.minNtime(), m.nbits(), m.coinbaseTxVersion(),
                Bytes.fromHex("0101"), m.coinbaseTxInputNSequence(), m.coinbaseTxOutputs(), m.coinbaseTxLocktime(),
                m.merklePath()), tokens, tip);
        assertRefused(JdsMetrics.CustomJob.INVALID_COINBASE_TX_INPUT_N_SEQUENCE, good, m -> new SetCustomMiningJob(
                m.channelId(), m.requestId(), m.miningJobToken(), m.version(), m.prevHash(), m.minNtime(), m.nbits(),
                m.coinbaseTxVersion(), m.coinbasePrefix(), 7, m.coinbaseTxOutputs(), m.coinbaseTxLocktime(),
                m.merklePath()), tokens, tip);
        assertRefused(JdsMetrics.CustomJob.INVALID_COINBASE_TX_OUTPUTS, good, m -> new SetCustomMiningJob(m.channelId(),
                m.requestId(), m.miningJobToken(), m.version(), m.prevHash(), m.minNtime(), m.nbits(), m.coinbaseTxVersion(),
                m.coinbasePrefix(), m.coinbaseTxInputNSequence(),
                TxOut.serializeCounted(List.of(new TxOut(50, POOL))), m.coinbaseTxLocktime(), m.merklePath()), tokens, tip);
        assertRefused(JdsMetrics.CustomJob.INVALID_COINBASE_TX_OUTPUTS, good, m -> new SetCustomMiningJob(m.channelId(),
                m.requestId(), m.miningJobToken(), m.version(), m.prevHash(), m.minNtime(), m.nbits(), m.coinbaseTxVersion(),
                m.coinbasePrefix(), m.coinbaseTxInputNSequence(), Bytes.fromHex("05"), m.coinbaseTxLocktime(),
                m.merklePath()), tokens, tip);
        assertRefused(JdsMetrics.CustomJob.INVALID_COINBASE_TX_LOCKTIME, good, m -> new SetCustomMiningJob(m.channelId(),
                m.requestId(), m.miningJobToken(), m.version(), m.prevHash(), m.minNtime(), m.nbits(), m.coinbaseTxVersion(),
                m.coinbasePrefix(), m.coinbaseTxInputNSequence(), m.coinbaseTxOutputs(), 99, m.merklePath()), tokens, tip);
        assertRefused(JdsMetrics.CustomJob.INVALID_MERKLE_PATH, good, m -> new SetCustomMiningJob(m.channelId(),
                m.requestId(), m.miningJobToken(), m.version(), m.prevHash(), m.minNtime(), m.nbits(), m.coinbaseTxVersion(),
                m.coinbasePrefix(), m.coinbaseTxInputNSequence(), m.coinbaseTxOutputs(), m.coinbaseTxLocktime(),
                List.of(Hash256.ZERO)), tokens, tip);
        CustomJobs.Refused size = assertInstanceOf(CustomJobs.Refused.class,
                CustomJobs.check(good, tokens, tip, EXTRANONCE + 1, now, 7200));
        assertEquals(JdsMetrics.CustomJob.INVALID_COINBASE_TX, size.reason());
        assertEquals("invalid-coinbase-tx-input-n-sequence", JdsMetrics.CustomJob.INVALID_COINBASE_TX_INPUT_N_SEQUENCE.code());
        assertFalse(JdsMetrics.CustomJob.ACCEPTED.code().isEmpty());
    }

    private static SetCustomMiningJob with(SetCustomMiningJob m, Bytes token) {
        return new SetCustomMiningJob(m.channelId(), m.requestId(), token, m.version(), m.prevHash(), m.minNtime(),
                m.nbits(), m.coinbaseTxVersion(), m.coinbasePrefix(), m.coinbaseTxInputNSequence(), m.coinbaseTxOutputs(),
                m.coinbaseTxLocktime(), m.merklePath());
    }

    private static void assertRefused(JdsMetrics.CustomJob expected, SetCustomMiningJob good,
            UnaryOperator<SetCustomMiningJob> change, JobTokens tokens, ChainTip tip) {
        CustomJobs.Result r = CustomJobs.check(change.apply(good), tokens, tip, EXTRANONCE,
                Instant.ofEpochSecond(good.minNtime() & 0xffffffffL), 7200);
        CustomJobs.Refused refused = assertInstanceOf(CustomJobs.Refused.class, r, expected.code());
        assertEquals(expected, refused.reason(), refused.detail());
    }
}
