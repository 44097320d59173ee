package org.hyperhash.treasury.lightning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.OptionalLong;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.crypto.ECKey;
import org.hyperhash.treasury.proof.AddressProof;
import org.junit.jupiter.api.Test;

/** Invoices and address proofs that must be refused with a clear error (amounts: AccountsIT). */
class BadInputTest {
    static final byte[] HASH = HexFormat.of().parseHex("0001020304050607080900010203040506070809000102030405060708090102");

    @Test
    void bolt11RoundTripAndSpecExample() {
        ECKey node = new ECKey();
        String pr = Bolt11Invoice.encode("bcrt", OptionalLong.of(2_500_000L), 1_700_000_000L, HASH, "coffee", null, 600, node);
        Bolt11Invoice inv = Bolt11Invoice.decode(pr);
        assertEquals(2_500_000L, inv.amountMsat().getAsLong());
        assertEquals(HexFormat.of().formatHex(HASH), inv.paymentHashHex());
        assertEquals(HexFormat.of().formatHex(node.getPubKey()), inv.payeePubkeyHex());
        assertEquals("coffee", inv.description());
        assertTrue(pr.startsWith("lnbcrt25u1"));
        // BOLT11 example "Please make a donation of any amount using payment_hash 0001020304050607080900010203040506070809000102030405060708090102 to me @03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad"
        Bolt11Invoice spec = Bolt11Invoice.decode("lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap9us6v52vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp5h2tztugp9lfyql");
        assertEquals(OptionalLong.empty(), spec.amountMsat());
        assertEquals("0001020304050607080900010203040506070809000102030405060708090102", spec.paymentHashHex());
        assertEquals("03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad", spec.payeePubkeyHex());
        assertEquals("Please consider supporting this project", spec.description());
        assertEquals(1496314658L, spec.timestampSeconds());
    }

    @Test
    void malformedInvoicesAreRefusedNamingTheProblem() {
        ECKey node = new ECKey();
        String good = Bolt11Invoice.encode("bcrt", OptionalLong.of(1000L), 1_700_000_000L, HASH, "x", null, 600, node);
        assertMsg("checksum", () -> Bolt11Invoice.decode(good.substring(0, good.length() - 1) + (good.endsWith("q") ? "p" : "q")));
        assertMsg("missing", () -> Bolt11Invoice.decode(null));
        assertMsg("prefix", () -> Bolt11Invoice.decode("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"));
        assertMsg("currency", () -> Bolt11Invoice.decode(bech("lnxy", new byte[200])));
        assertMsg("overflows", () -> Bolt11Invoice.decode(bech("lnbc999999999999999999", new byte[200])));
        assertMsg("pico", () -> Bolt11Invoice.decode(bech("lnbc15p", new byte[200])));
        assertMsg("payment hash", () -> Bolt11Invoice.decode(bech("lnbc", new byte[201])));
        // a valid invoice whose signature was made over different data
        String other = Bolt11Invoice.encode("bcrt", OptionalLong.of(2000L), 1_700_000_000L, HASH, "x", null, 600, node);
        String spliced = Bech32Words.encode(Bech32Words.decode(good, 9000).hrp(), Bech32Words.decode(other, 9000).words());
        assertThrows(Bolt11Invoice.InvalidInvoice.class, () -> {
            Bolt11Invoice d = Bolt11Invoice.decode(spliced);
            if (!d.payeePubkeyHex().equals(HexFormat.of().formatHex(node.getPubKey()))) {
                throw new Bolt11Invoice.InvalidInvoice("recovered a different key");
            }
        });
    }

    static String bech(String hrp, byte[] words) {
        return Bech32Words.encode(hrp, words);
    }

    static void assertMsg(String part, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }

    @Test
    void addressProofs() throws Exception {
        AddressProof proof = new AddressProof(BitcoinNetwork.REGTEST, 600);
        long now = 1_700_000_000L;
        ECKey key = new ECKey();
        for (ScriptType t : new ScriptType[] {ScriptType.P2PKH, ScriptType.P2WPKH}) {
            String addr = key.toAddress(t, BitcoinNetwork.REGTEST).toString();
            String msg = AddressProof.challenge(addr, "keysend", "02" + "ab".repeat(32), now);
            proof.verify(addr, "keysend", "02" + "ab".repeat(32), msg, key.signMessage(msg, t), now, 0);
            ECKey other = new ECKey();
            assertProof("does not control", () -> proof.verify(addr, "keysend", "02" + "ab".repeat(32), msg, other.signMessage(msg, t), now, 0));
            assertProof("different", () -> proof.verify(addr, "keysend", "03" + "ab".repeat(32), msg, key.signMessage(msg, t), now, 0));
            assertProof("replay", () -> proof.verify(addr, "keysend", "02" + "ab".repeat(32), msg, key.signMessage(msg, t), now, now));
            assertProof("from now", () -> proof.verify(addr, "keysend", "02" + "ab".repeat(32), msg, key.signMessage(msg, t), now + 3600, 0));
        }
        String tr = "bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6";
        String msg = AddressProof.challenge(tr, "keysend", "x", now);
        assertProof("", () -> proof.verify(tr, "keysend", "x", msg, key.signMessage(msg), now, 0));
        String unknown = "bc1qnotanaddress";
        String m2 = AddressProof.challenge(unknown, "keysend", "x", now);
        assertProof("not a valid", () -> proof.verify(unknown, "keysend", "x", m2, key.signMessage(m2), now, 0));
        assertProof("challenge", () -> proof.verify("a", "keysend", "x", "hello", "AAAA", now, 0));
    }

    static void assertProof(String part, org.junit.jupiter.api.function.Executable e) {
        AddressProof.InvalidProof ex = assertThrows(AddressProof.InvalidProof.class, e);
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }
}
