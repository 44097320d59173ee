package org.hyperhash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hyperhash.sv2.noise.AeadProviders;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.junit.jupiter.api.Test;

class VersionCommandTest {
    @Test
    void printsTheCryptoProviderTheDaemonsSelect() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = Hh.execute("version");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        List<String> crypto = out.lines().filter(l -> l.startsWith("crypto ")).toList();
        assertEquals(2, crypto.size(), out);
        String line = crypto.get(0);
        // the AEAD the daemons' Noise sessions use, from the same one-per-process choice (OpenSSL where it loads)
        String aead = crypto.get(1);
        assertTrue(aead.startsWith("crypto ChaCha20-Poly1305: " + AeadProviders.name() + " for messages >= 320 B"), aead);
        assertEquals(AeadProviders.nativeUnavailableReason().isPresent(), aead.contains("libcrypto unavailable: "), aead);
        assertTrue(aead.contains(" for messages >= 320 B, " + AeadProviders.smallName() + " below ("), aead);
        // surefire passes --add-modules jdk.incubator.vector, as the hh launcher and the image do
        assertTrue(AeadProviders.isVector(), aead);
        assertTrue(aead.contains("jdk.incubator.vector"), aead);
        // the provider the daemons get from the same selection, by name: native FFM or the pure-Java fallback
        String chosen = Secp256k1Providers.best().name();
        assertTrue(line.startsWith("crypto secp256k1 provider: " + chosen + " (-D" + Secp256k1Providers.PROPERTY + "="), line);
        assertTrue(chosen.startsWith("libsecp256k1-ffm") || chosen.startsWith("pure-java"), chosen);
        assertEquals(Secp256k1Providers.nativeProvider().isEmpty(), line.contains("native libsecp256k1 unavailable: "), line);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("hyperhash ")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("netty transport ")), out);
        var ledger = org.hyperhash.ledger.Migrations.buildCompat();
        assertTrue(ledger.version() >= 8, ledger.toString());
        assertTrue(out.lines().anyMatch(l -> l.equals("ledger schema " + ledger.version() + " compatible-from "
                + ledger.requiresBuildSchema())), out);
    }
}
