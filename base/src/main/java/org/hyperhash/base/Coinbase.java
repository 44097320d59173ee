package org.hyperhash.base;

import java.nio.charset.StandardCharsets;

/** Coinbase scriptSig helpers (BIP34 height push, data pushes, SV2 pool tag). */
public final class Coinbase {
    /** Consensus limit on the coinbase scriptSig length. */
    public static final int MAX_SCRIPT_SIG_LENGTH = 100;
    /** Consensus minimum coinbase scriptSig length. */
    public static final int MIN_SCRIPT_SIG_LENGTH = 2;

    private Coinbase() {
    }

    /**
     * The BIP34 height push exactly as Bitcoin Core writes it ({@code CScript() << height}): OP_0
     * for 0, OP_1..OP_16 for 1..16, else a minimal push of the script-number encoding.
     */
    public static Bytes bip34HeightPush(long height) {
        if (height < 0 || height > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("block height out of range: " + height);
        }
        if (height == 0) {
            return Bytes.of((byte) 0x00);
        }
        if (height <= 16) {
            return Bytes.of((byte) (0x50 + height));
        }
        byte[] num = scriptNum(height);
        return pushData(Bytes.wrap(num));
    }

    /** Minimal little-endian script-number encoding of a non-negative value. */
    static byte[] scriptNum(long v) {
        ByteWriter w = new ByteWriter(9);
        long x = v;
        while (x != 0) {
            w.u8((int) (x & 0xff));
            x >>>= 8;
        }
        byte[] b = w.toByteArray();
        if (b.length > 0 && (b[b.length - 1] & 0x80) != 0) {
            byte[] e = new byte[b.length + 1];
            System.arraycopy(b, 0, e, 0, b.length);
            return e;
        }
        return b;
    }

    /** A minimal data push: direct push for up to 75 bytes, else OP_PUSHDATA1/2. */
    public static Bytes pushData(Bytes data) {
        int n = data.length();
        ByteWriter w = new ByteWriter(n + 3);
        if (n <= 75) {
            w.u8(n);
        } else if (n <= 0xff) {
            w.u8(0x4c).u8(n);
        } else if (n <= 0xffff) {
            w.u8(0x4d).u16Le(n);
        } else {
            throw new IllegalArgumentException("push of " + n + " bytes too large for a scriptSig");
        }
        w.bytes(data);
        return w.toBytes();
    }

    /**
     * The SRI-style pool tag push: {@code len || "Sv2/<poolTag>/<minerTag>/"} (ASCII/UTF-8, at
     * most 75 bytes so it stays a direct push).
     */
    public static Bytes sv2TagPush(String poolTag, String minerTag) {
        byte[] tag = ("Sv2/" + poolTag + "/" + minerTag + "/").getBytes(StandardCharsets.UTF_8);
        if (tag.length > 75) {
            throw new IllegalArgumentException("pool/miner tag too long (" + tag.length + " bytes, max 75)");
        }
        return pushData(Bytes.wrap(tag));
    }
}
