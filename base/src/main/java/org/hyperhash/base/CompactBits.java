package org.hyperhash.base;

/**
 * The header's compact target encoding ("nBits"): {@code mantissa * 256^(exponent-3)} with
 * exponent = top byte and a 23-bit mantissa (bit 23 is a sign bit, invalid for targets). Matches
 * Bitcoin Core's {@code arith_uint256::SetCompact/GetCompact}.
 */
public final class CompactBits {
    private CompactBits() {
    }

    /**
     * Expands nBits to a target.
     *
     * @throws IllegalArgumentException for a negative or overflowing encoding (Core rejects both)
     */
    public static Target toTarget(int nbits) {
        int exponent = nbits >>> 24;
        int mantissa = nbits & 0x007fffff;
        if ((nbits & 0x00800000) != 0 && mantissa != 0) {
            throw new IllegalArgumentException("nbits 0x" + Hex.u32Be(nbits) + " is negative");
        }
        byte[] le = new byte[32];
        if (exponent <= 3) {
            int m = mantissa >>> (8 * (3 - exponent));
            le[0] = (byte) m;
            le[1] = (byte) (m >>> 8);
            le[2] = (byte) (m >>> 16);
        } else {
            for (int i = 0; i < 3; i++) {
                int b = (mantissa >>> (8 * i)) & 0xff;
                int idx = exponent - 3 + i;
                if (idx >= 32) {
                    if (b != 0) {
                        throw new IllegalArgumentException("nbits 0x" + Hex.u32Be(nbits) + " overflows 256 bits");
                    }
                } else {
                    le[idx] = (byte) b;
                }
            }
        }
        return Target.fromLeBytes(le);
    }

    /** Compresses a target to nBits (rounding down to 3 significant bytes, as Core does). */
    public static int fromTarget(Target target) {
        byte[] le = target.toLeBytes();
        int size = 32;
        while (size > 0 && le[size - 1] == 0) {
            size--;
        }
        int compact;
        if (size <= 3) {
            int v = 0;
            for (int i = size - 1; i >= 0; i--) {
                v = (v << 8) | (le[i] & 0xff);
            }
            compact = v << (8 * (3 - size));
        } else {
            compact = (le[size - 1] & 0xff) << 16 | (le[size - 2] & 0xff) << 8 | (le[size - 3] & 0xff);
        }
        if ((compact & 0x00800000) != 0) {
            compact >>>= 8;
            size++;
        }
        return compact | size << 24;
    }
}
