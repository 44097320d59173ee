package org.hyperhash.sv2.noise;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An SV2 authority public key: a BIP340 x-only secp256k1 key (32 bytes), distributed as
 * {@code base58check(01 00 || xonly32)} (2-byte little-endian version 1). Immutable value.
 */
public final class AuthorityPublicKey {
    /** The only defined key encoding version (sent as {@code 01 00}). */
    public static final int VERSION = 1;
    private static final String WHAT = "authority public key";

    private final byte[] xonly;

    private AuthorityPublicKey(byte[] xonly) {
        this.xonly = xonly;
    }

    /** Wraps a 32-byte x-only key; throws if it is not the x coordinate of a curve point. */
    public static AuthorityPublicKey fromXonly(byte[] xonly32) {
        if (xonly32 == null || xonly32.length != 32) {
            throw new IllegalArgumentException(WHAT + ": length " + (xonly32 == null ? 0 : xonly32.length)
                    + " bytes, expected 32");
        }
        if (!PureJavaSecp256k1Provider.isValidXonly(xonly32)) {
            throw new IllegalArgumentException(WHAT + ": not a valid x-only secp256k1 public key");
        }
        return new AuthorityPublicKey(xonly32.clone());
    }

    /**
     * Parses {@code base58check(01 00 || xonly32)}.
     *
     * @throws IllegalArgumentException naming the problem: base58 character, checksum, length, version or curve
     */
    public static AuthorityPublicKey fromBase58(String base58) {
        byte[] payload = Base58Check.decode(base58, WHAT);
        if (payload.length != 34) {
            throw new IllegalArgumentException(WHAT + ": payload length " + payload.length
                    + " bytes, expected 34 (2-byte version + 32-byte x-only key)");
        }
        int version = (payload[0] & 0xff) | (payload[1] & 0xff) << 8;
        if (version != VERSION) {
            throw new IllegalArgumentException(WHAT + ": version " + version + ", expected " + VERSION);
        }
        return fromXonly(Arrays.copyOfRange(payload, 2, 34));
    }

    /** {@code base58check(01 00 || xonly32)}. */
    public String toBase58() {
        byte[] payload = new byte[34];
        payload[0] = (byte) VERSION;
        System.arraycopy(xonly, 0, payload, 2, 32);
        return Base58Check.encode(payload);
    }

    /** A copy of the 32-byte x-only key. */
    public byte[] toXonly() {
        return xonly.clone();
    }

    byte[] xonlyUnsafe() {
        return xonly;
    }

    /** Hex of the x-only key. */
    public String toHex() {
        return HexFormat.of().formatHex(xonly);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthorityPublicKey k && Arrays.equals(xonly, k.xonly);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(xonly);
    }

    /** The base58check form. */
    @Override
    public String toString() {
        return toBase58();
    }
}
