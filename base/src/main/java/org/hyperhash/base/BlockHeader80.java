package org.hyperhash.base;

import java.util.Objects;

/**
 * The 80-byte block header: {@code version U32LE || prev_hash (32, internal order) ||
 * merkle_root (32, internal order) || ntime U32LE || nbits U32LE || nonce U32LE}. The static
 * {@code write*} methods assemble into a caller-owned buffer (hot path, reuse one per channel).
 *
 * @param version nVersion
 * @param prevHash previous block hash
 * @param merkleRoot merkle root
 * @param time nTime (unix seconds, U32)
 * @param bits nBits
 * @param nonce nonce (U32)
 */
@HotPath
public record BlockHeader80(int version, Hash256 prevHash, Hash256 merkleRoot, int time, int bits, int nonce) {
    public static final int LENGTH = 80;
    public static final int OFFSET_VERSION = 0;
    public static final int OFFSET_PREV_HASH = 4;
    public static final int OFFSET_MERKLE_ROOT = 36;
    public static final int OFFSET_TIME = 68;
    public static final int OFFSET_BITS = 72;
    public static final int OFFSET_NONCE = 76;

    public BlockHeader80 {
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(merkleRoot, "merkleRoot");
    }

    /** Writes all fields into {@code buf[off, off+80)}. */
    public static void write(byte[] buf, int off, int version, byte[] prevHash32, byte[] merkleRoot32, int time,
            int bits, int nonce) {
        LittleEndian.putInt(buf, off + OFFSET_VERSION, version);
        System.arraycopy(prevHash32, 0, buf, off + OFFSET_PREV_HASH, 32);
        System.arraycopy(merkleRoot32, 0, buf, off + OFFSET_MERKLE_ROOT, 32);
        LittleEndian.putInt(buf, off + OFFSET_TIME, time);
        LittleEndian.putInt(buf, off + OFFSET_BITS, bits);
        LittleEndian.putInt(buf, off + OFFSET_NONCE, nonce);
    }

    public void writeTo(byte[] buf, int off) {
        write(buf, off, version, prevHash.unsafeWireBytes(), merkleRoot.unsafeWireBytes(), time, bits, nonce);
    }

    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        writeTo(b, 0);
        return b;
    }

    /** Block hash (SHA256d of the 80 bytes, internal order). */
    public Hash256 hash() {
        return Sha256d.of(toBytes());
    }

    public static BlockHeader80 parse(byte[] b, int off) {
        if (b.length - off < LENGTH) {
            throw new MalformedDataException("block_header", "needs 80 bytes, " + (b.length - off) + " left");
        }
        return new BlockHeader80(LittleEndian.getInt(b, off + OFFSET_VERSION), Hash256.fromWireBytes(b, off + OFFSET_PREV_HASH),
                Hash256.fromWireBytes(b, off + OFFSET_MERKLE_ROOT), LittleEndian.getInt(b, off + OFFSET_TIME),
                LittleEndian.getInt(b, off + OFFSET_BITS), LittleEndian.getInt(b, off + OFFSET_NONCE));
    }

    public static BlockHeader80 parse(byte[] b) {
        if (b.length != LENGTH) {
            throw new MalformedDataException("block_header", "needs exactly 80 bytes, got " + b.length);
        }
        return parse(b, 0);
    }
}
