package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void authorityKeyVectors() {
        List<Map<String, String>> rows = Vectors.csv("sv2_authority_keys.csv");
        assertEquals(8, rows.size());
        int checked = 0;
        for (Map<String, String> r : rows) {
            String b58 = r.get("base58check");
            String expected = r.get("expected");
            String id = r.get("case");
            if (expected.startsWith("valid pubkey")) {
                AuthorityPublicKey k = AuthorityPublicKey.fromBase58(b58);
                assertEquals(r.get("xonly_pubkey_hex"), k.toHex(), id);
                assertEquals(b58, k.toBase58(), id);
                assertEquals(k, AuthorityPublicKey.fromXonly(Vectors.hex(r.get("xonly_pubkey_hex"))));
            } else if (expected.startsWith("valid secret")) {
                AuthorityKeyPair a = AuthorityKeyPair.fromSecretBase58(b58);
                assertEquals(r.get("xonly_pubkey_hex"), a.publicKey().toHex(), id);
                assertEquals(b58, a.secretToBase58(), id);
                StaticKeyPair s = StaticKeyPair.fromSecretBase58(b58);
                assertEquals(r.get("xonly_pubkey_hex"), s.publicKeyHex(), id);
                assertEquals(b58, s.secretToBase58(), id);
                assertFalse(a.toString().contains(b58));
                assertFalse(s.toString().contains(b58));
            } else {
                String word = expected.contains("checksum") ? "checksum" : expected.contains("version") ? "version" : "length";
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> AuthorityPublicKey.fromBase58(b58), id);
                assertTrue(e.getMessage().contains(word), id + ": " + e.getMessage());
            }
            checked++;
        }
        assertEquals(8, checked);
    }

    @Test
    void rejectsGarbage() {
        assertThrows(IllegalArgumentException.class, () -> AuthorityPublicKey.fromBase58(""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AuthorityPublicKey.fromBase58("0OIl"))
                .getMessage().contains("base58 character"));
        assertThrows(IllegalArgumentException.class, () -> AuthorityPublicKey.fromXonly(new byte[32])); // x=0 off-curve
        assertThrows(IllegalArgumentException.class, () -> AuthorityKeyPair.fromSecret(new byte[32]));
        // A 34-byte public key string is not a secret key.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AuthorityKeyPair.fromSecretBase58("9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72"));
        assertTrue(e.getMessage().contains("length"), e.getMessage());
    }

    @Test
    void secretKeyRange() {
        byte[] n = Vectors.hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
        assertFalse(Secp256k1Keys.isValidSecretKey(n));
        n[31] = 0x40;
        assertTrue(Secp256k1Keys.isValidSecretKey(n));
        assertFalse(Secp256k1Keys.isValidSecretKey(new byte[32]));
        byte[] one = new byte[32];
        one[31] = 1;
        assertTrue(Secp256k1Keys.isValidSecretKey(one));
        assertFalse(Secp256k1Keys.isValidSecretKey(new byte[31]));
    }

    @Test
    void keyToolOutputParsesBack() {
        String out = KeyTool.generate(new SecureRandom());
        Map<String, String> kv = new HashMap<>();
        for (String line : out.split("\n")) {
            if (!line.startsWith("#") && line.contains("=")) {
                String[] p = line.split("=", 2);
                kv.put(p[0].trim(), p[1].trim().replace("\"", ""));
            }
        }
        AuthorityPublicKey pub = AuthorityPublicKey.fromBase58(kv.get("authority_public_key"));
        AuthorityKeyPair pair = AuthorityKeyPair.fromSecretBase58(kv.get("authority_secret_key"));
        assertEquals(pub, pair.publicKey());
        StaticKeyPair st = StaticKeyPair.fromSecretBase58(kv.get("server_static_secret_key"));
        assertTrue(out.contains(st.publicKeyHex()));
        assertEquals(st.publicKeyHex(), AuthorityPublicKey.fromBase58(st.publicKeyBase58()).toHex());
        // Two runs differ.
        KeyTool.GeneratedKeys a = KeyTool.generateKeys(new SecureRandom());
        KeyTool.GeneratedKeys b = KeyTool.generateKeys(new SecureRandom());
        assertFalse(a.authority().publicKey().equals(b.authority().publicKey()));
    }
}
