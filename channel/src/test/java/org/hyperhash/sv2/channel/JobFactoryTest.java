package org.hyperhash.sv2.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hyperhash.base.Bip141;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.junit.jupiter.api.Test;

class JobFactoryTest {
    static final TxOut PAY = new TxOut(5_000_000_000L, Bytes.fromHex("0014ebe1b7dcc293ccaa0ee743a86f89df8258c208fc"));
    static final Bytes COMMITMENT = Bytes.fromHex(
            "0000000000000000266a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9");

    static NewTemplate nt(Bytes prefix, int outCount, Bytes outs, long value) {
        return new NewTemplate(1, true, 0x20000000, 2, prefix, -2, value, outCount, outs, 158, List.of());
    }

    @Test
    void tagsLandInScriptSigAndWitnessIsRebuilt() throws Exception {
        JobTemplate jt = new JobFactory("hyperhash", "rig1").build(nt(Bytes.fromHex("03a08601"), 1, COMMITMENT, 5_000_000_000L),
                List.of(PAY), 20);
        Bytes ext = Bytes.of(new byte[20]);
        Transaction cb = Transaction.parse(jt.coinbaseWithWitness(ext));
        assertTrue(cb.isCoinbase());
        String script = cb.inputs().getFirst().scriptSig().toHex();
        assertTrue(script.startsWith("03a08601" + "13" + Bytes.wrap("Sv2/hyperhash/rig1/".getBytes()).toHex() + "14"), script);
        assertEquals(4 + 1 + 19 + 1 + 20, script.length() / 2);
        assertEquals(List.of(PAY, cb.outputs().get(1)), cb.outputs());
        assertEquals(Bip141.strip(jt.coinbaseTxPrefix(), jt.coinbaseTxSuffix()).prefix(), jt.coinbaseTxPrefix());
        assertEquals(cb.txid(), jt.coinbaseTxid(ext));
        assertEquals(158, cb.lockTime());
    }

    @Test
    void noWitnessCommitmentMeansLegacyCoinbase() throws Exception {
        JobTemplate jt = new JobFactory("", "").build(nt(Bytes.fromHex("0111"), 0, Bytes.EMPTY, 100), List.of(
                new TxOut(60, Bytes.fromHex("51")), new TxOut(40, Bytes.fromHex("52"))), 8);
        assertFalse(jt.segwit());
        Bytes ext = Bytes.of(new byte[8]);
        assertEquals(jt.coinbaseWithoutWitness(ext), jt.coinbaseWithWitness(ext));
        assertEquals(2, Transaction.parse(jt.coinbaseWithWitness(ext)).outputs().size());
    }

    @Test
    void typedErrors() {
        JobFactory f = new JobFactory("a-long-pool-tag-for-testing", "and-a-long-miner-tag-too");
        InvalidTemplateException e = assertThrows(InvalidTemplateException.class,
                () -> f.build(nt(Bytes.of(new byte[30]), 1, COMMITMENT, 5_000_000_000L), List.of(PAY), 32));
        assertEquals("coinbase_prefix", e.field());
        e = assertThrows(InvalidTemplateException.class,
                () -> new JobFactory("", "").build(nt(Bytes.fromHex("51"), 1, COMMITMENT, 4_000_000_000L), List.of(PAY), 8));
        assertEquals("pool_outputs", e.field());
        e = assertThrows(InvalidTemplateException.class,
                () -> new JobFactory("", "").build(nt(Bytes.fromHex("51"), 2, COMMITMENT, 5_000_000_000L), List.of(PAY), 8));
        assertEquals("coinbase_tx_outputs", e.field());
        e = assertThrows(InvalidTemplateException.class,
                () -> new JobFactory("", "").build(nt(Bytes.fromHex("51"), 1, COMMITMENT, 5_000_000_000L), List.of(PAY), 33));
        assertEquals("full_extranonce_size", e.field());
    }
}
