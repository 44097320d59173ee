package org.hyperhash.tp.devnet;

import org.hyperhash.base.Block;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxIn;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.testkit.ManualClock;
import org.hyperhash.tp.node.BlockNotification;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.hyperhash.tp.node.SubmitResult;
import org.hyperhash.tp.template.BlockAssembler;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;
import org.hyperhash.tp.template.WitnessCommitment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevnetChainTest {
    private static final Bytes PAYOUT = Bytes.fromHex("0014" + "ab".repeat(20));
    private final ManualClock clock = ManualClock.ofEpochSecond(1_800_000_000L);
    private final DevnetChain chain = new DevnetChain(DevnetParams.defaults(), clock);
    private final TemplateFactory factory = new TemplateFactory(CoinbaseStyle.CORE);

    private record Candidate(BuiltTemplate template, Transaction coinbase, SubmitSolution solution) {
        Bytes block() throws Exception {
            return BlockAssembler.assemble(template, solution).block();
        }
    }

    private Candidate candidate() {
        BlockTemplate gbt = chain.getBlockTemplate();
        BuiltTemplate t = factory.build(gbt, 1, true, new OutputReservation(64, 4));
        Transaction cb = DevnetMiner.coinbaseFor(t.message(), PAYOUT, 42);
        return new Candidate(t, cb, DevnetMiner.grind(t, cb, (int) gbt.curTime(), gbt.target()));
    }

    @Test
    void templateHasHeightSubsidyFeesAndSyntheticWitnessTransactions() {
        BlockTemplate t = chain.getBlockTemplate();
        assertEquals(1, t.height());
        assertEquals(0x207fffff, t.bits());
        assertEquals(5, t.transactions().size());
        assertEquals(50L * 100_000_000L + t.totalFeesSats(), t.coinbaseValueSats());
        assertTrue(t.transactions().stream().allMatch(x -> !x.txid().equals(x.wtxid())), "witness transactions");
        assertEquals(t.transactions().getFirst().txid(), Transaction.parse(t.transactions().getFirst().data()).txid());
        assertEquals(WitnessCommitment.script(t.transactions().stream().map(BlockTemplate.TemplateTransaction::wtxid).toList()),
                t.defaultWitnessCommitment());
        assertEquals(3, factory.build(t, 1, true, OutputReservation.NONE).message().merklePath().size());
        assertEquals(t, chain.getBlockTemplate(), "stable between calls");
    }

    @Test
    void validBlockAdvancesTipAndIsAnnounced() throws Exception {
        List<BlockNotification> seen = new ArrayList<>();
        chain.notifier().start(seen::add);
        Candidate c = candidate();
        assertInstanceOf(SubmitResult.Accepted.class, chain.submitBlock(c.block()));
        assertEquals(1, chain.height());
        Hash256 hash = Block.parse(c.block().unsafeArray()).hash();
        assertEquals(hash, chain.getBestBlockHash());
        assertEquals(List.of(hash), seen.stream().map(BlockNotification::blockHash).toList());
        assertEquals(hash, chain.getBlockTemplate().previousBlockHash());
        assertEquals(2, chain.getBlockTemplate().height());
        assertEquals(c.block(), chain.getBlockRaw(hash));
        assertEquals(6, chain.getBlock(hash).txids().size());
        assertEquals("devnet", chain.getBlockchainInfo().chain());
        assertEquals(new SubmitResult.Rejected("duplicate"), chain.submitBlock(c.block()));
    }

    @Test
    void staleForkIsInconclusive() throws Exception {
        Candidate first = candidate();
        clock.advance(java.time.Duration.ofSeconds(1));
        Candidate sibling = new Candidate(first.template(), first.coinbase(),
                DevnetMiner.grind(first.template(), DevnetMiner.coinbaseFor(first.template().message(), PAYOUT, 7),
                        first.solution().headerTimestamp() + 1, chain.getBlockTemplate().target()));
        assertInstanceOf(SubmitResult.Accepted.class, chain.submitBlock(first.block()));
        assertEquals(new SubmitResult.Rejected("inconclusive"), chain.submitBlock(
                BlockAssembler.assemble(first.template(), sibling.solution()).block()));
    }

    @Test
    void invalidBlocksAreRejectedWithCoresStrings() throws Exception {
        Candidate c = candidate();
        Block good = Block.parse(c.block().unsafeArray());
        var target = chain.getBlockTemplate().target();

        // high-hash: a nonce whose hash misses the target
        BlockHeader80 h = good.header();
        for (int n = 0; ; n++) {
            BlockHeader80 x = new BlockHeader80(h.version(), h.prevHash(), h.merkleRoot(), h.time(), h.bits(), n);
            if (!target.isMetBy(x.hash().unsafeWireBytes())) {
                assertEquals(new SubmitResult.Rejected("high-hash"), chain.submitBlock(new Block(x, good.transactions()).serialize()));
                break;
            }
        }
        assertEquals(new SubmitResult.Rejected("bad-txnmrklroot"), chain.submitBlock(regrind(
                new BlockHeader80(h.version(), h.prevHash(), Hash256.ZERO, h.time(), h.bits(), 0), good.transactions())));
        assertEquals(new SubmitResult.Rejected("bad-diffbits"), chain.submitBlock(
                new Block(new BlockHeader80(h.version(), h.prevHash(), h.merkleRoot(), h.time(), 0x1d00ffff, h.nonce()),
                        good.transactions()).serialize()));
        assertEquals(new SubmitResult.Rejected("time-too-old"), chain.submitBlock(regrind(
                new BlockHeader80(h.version(), h.prevHash(), h.merkleRoot(), 1, h.bits(), 0), good.transactions())));

        Transaction cb = good.transactions().getFirst();
        Transaction greedy = withOutputs(cb, List.of(new TxOut(cb.outputs().getFirst().valueSats() + 1, PAYOUT), cb.outputs().get(1)));
        assertEquals(new SubmitResult.Rejected("bad-cb-amount"), chain.submitBlock(rebuild(good, greedy, good.transactions().subList(1, 6))));
        Transaction wrongHeight = new Transaction(cb.version(),
                List.of(TxIn.coinbase(Bytes.fromHex("5200aa"), cb.inputs().getFirst().sequence(), cb.inputs().getFirst().witness())),
                cb.outputs(), cb.lockTime());
        assertEquals(new SubmitResult.Rejected("bad-cb-height"), chain.submitBlock(rebuild(good, wrongHeight, good.transactions().subList(1, 6))));
        // dropping a transaction breaks the witness commitment
        assertEquals(new SubmitResult.Rejected("bad-witness-merkle-match"),
                chain.submitBlock(rebuild(good, cb, good.transactions().subList(1, 5))));
        // a transaction the devnet never offered
        List<Transaction> alien = new ArrayList<>(good.transactions().subList(1, 6));
        Transaction t0 = alien.getFirst();
        alien.set(0, new Transaction(t0.version(), t0.inputs(), t0.outputs(), 99));
        assertEquals(new SubmitResult.Rejected("bad-txns-inputs-missingorspent"), chain.submitBlock(rebuild(good, cb, alien)));
        RpcException decode = assertThrows(RpcException.class, () -> chain.submitBlock(Bytes.fromHex("00")));
        assertEquals(-22, decode.code());
        assertEquals(0, chain.height());
        assertInstanceOf(SubmitResult.Accepted.class, chain.submitBlock(c.block()));
    }

    @Test
    void subsidyHalves() throws Exception {
        DevnetChain fast = new DevnetChain(new DevnetParams(0x207fffff, 5_000, 2, 0, 1, 7200), clock);
        assertEquals(5_000, fast.getBlockTemplate().coinbaseValueSats());
        assertInstanceOf(SubmitResult.Accepted.class, DevnetMiner.generate(fast, PAYOUT));
        clock.advance(java.time.Duration.ofSeconds(1));
        assertEquals(2_500, fast.getBlockTemplate().coinbaseValueSats()); // height 2
        assertInstanceOf(SubmitResult.Accepted.class, DevnetMiner.generate(fast, PAYOUT));
        assertEquals(2, fast.height());
        assertEquals(0, fast.getBlockTemplate().transactions().size());
    }

    @Test
    void extraTransactionRaisesFees() {
        long before = chain.getBlockTemplate().coinbaseValueSats();
        chain.addSyntheticTransaction(12_345);
        assertEquals(before + 12_345, chain.getBlockTemplate().coinbaseValueSats());
    }

    private static Transaction withOutputs(Transaction cb, List<TxOut> outs) {
        return new Transaction(cb.version(), cb.inputs(), outs, cb.lockTime());
    }

    private Bytes rebuild(Block good, Transaction coinbase, List<Transaction> rest) {
        List<Transaction> txs = new ArrayList<>();
        txs.add(coinbase);
        txs.addAll(rest);
        List<Hash256> ids = txs.stream().map(Transaction::txid).toList();
        BlockHeader80 h = good.header();
        return regrind(new BlockHeader80(h.version(), h.prevHash(), org.hyperhash.base.MerkleBranch.rootOf(ids), h.time(), h.bits(), 0), txs);
    }

    private Bytes regrind(BlockHeader80 h, List<Transaction> txs) {
        var target = chain.getBlockTemplate().target();
        for (int n = 0; ; n++) {
            BlockHeader80 x = new BlockHeader80(h.version(), h.prevHash(), h.merkleRoot(), h.time(), h.bits(), n);
            if (target.isMetBy(x.hash().unsafeWireBytes())) {
                return new Block(x, txs).serialize();
            }
        }
    }
}
