package org.hyperhash.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

class TargetsTest {

    private static double param(String input, String key) {
        for (String kv : input.split(";")) {
            String[] p = kv.split("=");
            if (p[0].equals(key)) {
                return p[1].startsWith("0x") ? Long.parseLong(p[1].substring(2), 16) : Double.parseDouble(p[1]);
            }
        }
        throw new AssertionError("no " + key + " in " + input);
    }

    @Test
    void everyRowOfSv2TargetsCsv() {
        List<Map<String, String>> rows = Vectors.csv("sv2_targets.csv");
        assertEquals(17, rows.size());
        int checked = 0;
        for (Map<String, String> row : rows) {
            String input = row.get("input");
            Target expected = Target.fromBeHex(row.get("target_be_hex"));
            assertEquals(row.get("target_u256_wire_le_hex"), Hex.encode(expected.toLeBytes()), "wire form " + input);
            Target actual = switch (row.get("kind")) {
                case "hashrate_to_target" -> Targets.fromNominalHashrate(param(input, "hashrate_hs"),
                        param(input, "shares_per_minute"));
                case "sv1_difficulty_to_target" -> Targets.fromDifficulty(param(input, "difficulty"));
                case "nbits_to_target" -> {
                    int nbits = (int) Long.parseLong(input.substring("nbits=0x".length()), 16);
                    assertEquals(nbits, CompactBits.fromTarget(expected), "compact round trip " + input);
                    yield CompactBits.toTarget(nbits);
                }
                default -> throw new AssertionError(row.get("kind"));
            };
            assertEquals(expected, actual, input);
            checked++;
        }
        assertEquals(rows.size(), checked);
    }

    @Test
    void difficultyRoundTripsAndTruncation() {
        assertEquals(1.0, Targets.toDifficulty(Targets.DIFF1_TARGET), 1e-12);
        assertEquals(1024.0, Targets.toDifficulty(Targets.fromDifficulty(1024)), 1e-9);
        assertEquals(1024L, Targets.truncatedDifficulty(Targets.fromDifficulty(1024)));
        assertEquals(0L, Targets.truncatedDifficulty(Targets.fromDifficulty(0.5)));
        assertEquals(0L, Targets.truncatedDifficulty(Target.MAX));
        assertEquals(-1L, Targets.truncatedDifficulty(Target.ZERO)); // saturates to u64::MAX
        assertEquals(Target.MAX, Targets.fromDifficulty(1e-30));
        assertThrows(IllegalArgumentException.class, () -> Targets.fromDifficulty(0));
        assertThrows(IllegalArgumentException.class, () -> Targets.fromDifficulty(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Targets.fromNominalHashrate(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> Targets.fromNominalHashrate(1, 0));
    }

    @Test
    void hashrateFromTargetInvertsNominalHashrate() {
        for (double h : new double[] {1e3, 1e9, 1e12, 2e14}) {
            Target t = Targets.fromNominalHashrate(h, 6);
            double back = Targets.hashrateFromTarget(t, 6);
            // SRI's formula targets t + 1 hashes per share, t = h * 60 / spm
            double expected = (h * 60 / 6 + 1) * 6 / 60;
            assertEquals(expected, back, expected * 1e-9, "hashrate " + h);
        }
        assertEquals(Math.scalb(1.0, 32) * 1.0, Targets.expectedHashes(Targets.DIFF1_TARGET), 1e6);
    }

    @Test
    void compactBitsRejectsNegativeAndOverflow() {
        assertThrows(IllegalArgumentException.class, () -> CompactBits.toTarget(0x04923456));
        assertThrows(IllegalArgumentException.class, () -> CompactBits.toTarget(0xff123456));
        assertEquals(Target.ZERO, CompactBits.toTarget(0x01003456));
        assertEquals(new Target(0x12, 0, 0, 0), CompactBits.toTarget(0x01123456));
        assertEquals(0x01120000, CompactBits.fromTarget(new Target(0x12, 0, 0, 0)));
        // Core's GetCompact example: 0x80 needs the extra byte to avoid the sign bit
        assertEquals(0x02008000, CompactBits.fromTarget(new Target(0x80, 0, 0, 0)));
        assertTrue(CompactBits.toTarget(0x1d00ffff).compareTo(CompactBits.toTarget(0x207fffff)) < 0);
    }

    @Test
    void hashDifficultyIsDiff1OverTheHashReadLittleEndian() {
        assertEquals(1.0, Targets.hashDifficulty(Targets.DIFF1_TARGET.toLeBytes()), 1e-12);
        // a real block hash (display order = big-endian): checked against exact BigDecimal division
        byte[] le = Target.fromBeHex("00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d").toLeBytes();
        double expected = new java.math.BigDecimal(Targets.DIFF1).divide(new java.math.BigDecimal(
                new java.math.BigInteger("00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d", 16)),
                java.math.MathContext.DECIMAL64).doubleValue();
        assertEquals(expected, Targets.hashDifficulty(le), expected * 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, Targets.hashDifficulty(new byte[32]));
        byte[] max = new byte[32];
        java.util.Arrays.fill(max, (byte) 0xff);
        assertEquals(Targets.toDifficulty(Target.MAX), Targets.hashDifficulty(max), 1e-20);
    }
}
