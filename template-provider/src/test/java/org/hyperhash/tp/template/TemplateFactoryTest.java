package org.hyperhash.tp.template;

import org.hyperhash.base.Block;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Hex;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxIn;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.tp.node.HttpBitcoindRpc;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateFactoryTest {
    private static final OutputReservation SRI_P2WPKH = new OutputReservation(31 + 43, 1 + 4);
    private final TemplateFactory factory = new TemplateFactory(CoinbaseStyle.CORE);

    static BlockTemplate gbt(String fixture) throws Exception {
        return HttpBitcoindRpc.parseBlockTemplate(Vectors.fixture(fixture).get("result"));
    }

    static Block generatedBlock() {
        return Block.parse(Hex.decode(Vectors.fixture("generateblock-unsubmitted.json").get("hex").asText()));
    }

    @Test
    void emptyMempoolTemplateMatchesCoreCoinbaseFields() throws Exception {
        BuiltTemplate b = factory.build(gbt("getblocktemplate-empty-mempool.json"), 7, true, SRI_P2WPKH);
        NewTemplate nt = b.message();
        assertEquals(7, nt.templateId());
        assertTrue(nt.futureTemplate());
        assertEquals(0x20000000, nt.version());
        assertEquals(2, nt.coinbaseTxVersion());
        assertEquals("0179", nt.coinbasePrefix().toHex()); // height 121, as in the recorded block's scriptSig
        assertEquals(0xFFFFFFFE, nt.coinbaseTxInputSequence());
        assertEquals(120, nt.coinbaseTxLocktime());
        assertEquals(5_000_000_000L, nt.coinbaseTxValueRemaining());
        assertEquals(1, nt.coinbaseTxOutputsCount());
        // value 0, CompactSize 38, the default_witness_commitment script; no output count in front
        assertEquals("0000000000000000" + "26"
                + "6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9",
                nt.coinbaseTxOutputs().toHex());
        assertTrue(nt.merklePath().isEmpty());
    }

    @Test
    void recordedBlockCoinbaseUsesSameFieldsAsTemplate() {
        Transaction cb = generatedBlock().transactions().getFirst();
        BuiltTemplate b = factory.build(gbtUnchecked("getblocktemplate-with-transactions.json"), 1, true, SRI_P2WPKH);
        assertEquals(cb.inputs().getFirst().scriptSig(), b.message().coinbasePrefix());
        assertEquals(cb.inputs().getFirst().sequence(), b.message().coinbaseTxInputSequence());
        assertEquals(cb.lockTime(), b.message().coinbaseTxLocktime());
        assertEquals(cb.version(), b.message().coinbaseTxVersion());
    }

    @Test
    void witnessCommitmentRecomputedEqualsCores() throws Exception {
        BlockTemplate t = gbt("getblocktemplate-with-transactions.json");
        Bytes computed = WitnessCommitment.script(t.transactions().stream().map(BlockTemplate.TemplateTransaction::wtxid).toList());
        assertEquals(t.defaultWitnessCommitment(), computed);
        BlockTemplate after = gbt("getblocktemplate-after-block.json");
        assertEquals(after.defaultWitnessCommitment(),
                WitnessCommitment.script(after.transactions().stream().map(BlockTemplate.TemplateTransaction::wtxid).toList()));
        assertEquals(gbt("getblocktemplate-empty-mempool.json").defaultWitnessCommitment(), WitnessCommitment.script(List.of()));
    }

    @Test
    void templateWithTransactionsKeepsAllAndPathRebuildsTheRoot() throws Exception {
        BlockTemplate t = gbt("getblocktemplate-with-transactions.json");
        BuiltTemplate b = factory.build(t, 2, false, SRI_P2WPKH);
        assertEquals(0, b.droppedTransactions());
        assertEquals(9, b.transactions().size());
        assertEquals(5_000_015_425L, b.message().coinbaseTxValueRemaining());
        assertEquals(4, b.message().merklePath().size()); // 10 leaves -> 4 levels
        Hash256 anyCoinbaseTxid = Hash256.fromDisplayHex("11".repeat(32));
        List<Hash256> all = new java.util.ArrayList<>();
        all.add(anyCoinbaseTxid);
        t.transactions().forEach(x -> all.add(x.txid()));
        assertEquals(MerkleBranch.rootOf(all), MerkleBranch.root(anyCoinbaseTxid, b.message().merklePath()));
        assertEquals(t.defaultWitnessCommitment(), b.requiredOutputs().getFirst().scriptPubKey());
    }

    /**
     * The recorded block holds the template's first 4 transactions. A reservation that leaves room
     * for exactly those makes the factory drop the other 5; the recomputed commitment and merkle
     * path must then match the real block, and the assembled block must equal Core's bytes.
     */
    @Test
    void reservationDropsTailAndAssembledBlockEqualsCoresBlock() throws Exception {
        BlockTemplate t = gbt("getblocktemplate-with-transactions.json");
        long w4 = t.transactions().subList(0, 4).stream().mapToLong(BlockTemplate.TemplateTransaction::weight).sum();
        long freeFor4 = t.weightLimit() - w4;
        long size = (freeFor4 - OutputReservation.SEGWIT_FIXED_WEIGHT) / 4; // fits with 4 txs, not with 5
        BuiltTemplate b = factory.build(t, 3, true, new OutputReservation(size, 4));
        assertEquals(5, b.droppedTransactions());
        long fees4 = t.transactions().subList(0, 4).stream().mapToLong(BlockTemplate.TemplateTransaction::feeSats).sum();
        assertEquals(5_000_000_000L + fees4, b.message().coinbaseTxValueRemaining());

        Block real = generatedBlock();
        Transaction cb = real.transactions().getFirst();
        TxOut commitment = cb.outputs().stream().filter(o -> WitnessCommitment.isCommitment(o.scriptPubKey())).findFirst().orElseThrow();
        assertEquals(commitment, b.requiredOutputs().getFirst());
        assertEquals(real.header().merkleRoot(), MerkleBranch.root(cb.txid(), b.message().merklePath()));

        SubmitSolution s = new SubmitSolution(3, real.header().version(), real.header().time(), real.header().nonce(), cb.serialize());
        BlockAssembler.AssembledBlock a = BlockAssembler.assemble(b, s);
        String coreHex = Vectors.fixture("generateblock-unsubmitted.json").get("hex").asText();
        assertEquals(coreHex, a.block().toHex());
        assertEquals(Vectors.fixture("generateblock-unsubmitted.json").get("hash").asText(), a.hash().toDisplayHex());

        // a coinbase sent without its witness gets the reserved value back
        SubmitSolution stripped = new SubmitSolution(3, real.header().version(), real.header().time(), real.header().nonce(),
                cb.serializeWithoutWitness());
        assertEquals(coreHex, BlockAssembler.assemble(b, stripped).block().toHex());
    }

    @Test
    void solutionWithoutTemplateOutputsOrPrefixIsRejected() throws Exception {
        BuiltTemplate b = factory.build(gbt("getblocktemplate-empty-mempool.json"), 1, true, SRI_P2WPKH);
        Transaction good = generatedBlock().transactions().getFirst();
        Transaction noCommitment = new Transaction(good.version(), good.inputs(), List.of(good.outputs().getFirst()), good.lockTime());
        InvalidSolutionException e = assertThrows(InvalidSolutionException.class,
                () -> BlockAssembler.assemble(b, new SubmitSolution(1, 0x20000000, 0, 0, noCommitment.serialize())));
        assertEquals("missing-template-outputs", e.reason());

        Transaction wrongHeight = new Transaction(good.version(),
                List.of(TxIn.coinbase(Bytes.fromHex("017a"), good.inputs().getFirst().sequence(), good.inputs().getFirst().witness())),
                good.outputs(), good.lockTime());
        assertEquals("bad-coinbase-prefix", assertThrows(InvalidSolutionException.class,
                () -> BlockAssembler.assemble(b, new SubmitSolution(1, 0x20000000, 0, 0, wrongHeight.serialize()))).reason());
        assertEquals("bad-coinbase-tx", assertThrows(InvalidSolutionException.class,
                () -> BlockAssembler.assemble(b, new SubmitSolution(1, 0x20000000, 0, 0, Bytes.fromHex("00")))).reason());
    }

    @Test
    void coinbasePrefixIsAtLeastTwoBytes() {
        assertEquals("5100", TemplateFactory.coinbasePrefix(1).toHex());
        assertEquals("6000", TemplateFactory.coinbasePrefix(16).toHex());
        assertEquals("0111", TemplateFactory.coinbasePrefix(17).toHex());
        assertEquals("028000", TemplateFactory.coinbasePrefix(128).toHex());
        assertEquals("03a0bb0d", TemplateFactory.coinbasePrefix(900_000).toHex());
    }

    @Test
    void legacyStyleUsesZeroLocktimeAndFinalSequence() throws Exception {
        BuiltTemplate b = new TemplateFactory(CoinbaseStyle.LEGACY).build(gbt("getblocktemplate-empty-mempool.json"), 1, true, SRI_P2WPKH);
        assertEquals(0, b.message().coinbaseTxLocktime());
        assertEquals(0xFFFFFFFF, b.message().coinbaseTxInputSequence());
        assertFalse(b.message().coinbasePrefix().isEmpty());
    }

    @Test
    void legacyConstraintsReserve400Sigops() {
        var legacy = new org.hyperhash.sv2.message.template.CoinbaseOutputConstraints(100, java.util.OptionalInt.empty());
        assertEquals(new OutputReservation(100, 400), OutputReservation.of(legacy));
        assertEquals(2000, new OutputReservation(0, 0).reservedWeight());
        assertEquals(1168 + 4 * 1000, new OutputReservation(1000, 0).reservedWeight());
    }

    private static BlockTemplate gbtUnchecked(String f) {
        try {
            return gbt(f);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

}
