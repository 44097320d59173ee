package org.hyperhash.base;

import java.util.ArrayList;
import java.util.List;

/**
 * Bitcoin merkle trees (SHA256d of concatenated 32-byte nodes in internal order; an odd level
 * duplicates its last node).
 */
@HotPath
public final class MerkleBranch {
    private MerkleBranch() {
    }

    /** Root from a leaf (e.g. coinbase txid) and the path from the leaf level upwards (leaf at index 0). */
    public static Hash256 root(Hash256 leaf, List<Hash256> path) {
        byte[] acc = leaf.toWireBytes();
        rootInPlace(acc, 0, path, Sha256d.threadLocal());
        return Hash256.wrap(acc);
    }

    /**
     * Hot-path form: {@code acc[off, off+32)} holds the leaf on entry and the root on exit.
     * Allocation-free.
     */
    public static void rootInPlace(byte[] acc, int off, List<Hash256> path, Sha256d sha) {
        for (int i = 0, n = path.size(); i < n; i++) {
            sha.hashPair(acc, off, path.get(i).unsafeWireBytes(), 0, acc, off);
        }
    }

    /** Same as {@link #rootInPlace(byte[], int, List, Sha256d)} with a pre-flattened path (32 bytes per node). */
    public static void rootInPlace(byte[] acc, int off, byte[] flatPath, Sha256d sha) {
        for (int p = 0; p + 32 <= flatPath.length; p += 32) {
            sha.hashPair(acc, off, flatPath, p, acc, off);
        }
    }

    /** Concatenates path nodes into one array (for {@link #rootInPlace(byte[], int, byte[], Sha256d)}). */
    public static byte[] flatten(List<Hash256> path) {
        byte[] flat = new byte[path.size() * 32];
        for (int i = 0; i < path.size(); i++) {
            path.get(i).copyTo(flat, i * 32);
        }
        return flat;
    }

    /**
     * Merkle path for the coinbase (position 0) given the txids of the OTHER transactions of the
     * block in block order (coinbase excluded). Empty when the block holds only the coinbase.
     */
    public static List<Hash256> coinbasePath(List<Hash256> otherTxids) {
        List<Hash256> path = new ArrayList<>();
        if (otherTxids.isEmpty()) {
            return List.of();
        }
        // level holds the nodes right of the coinbase's running hash; index 0 is the coinbase slot (unknown)
        List<byte[]> level = new ArrayList<>(otherTxids.size() + 1);
        level.add(null);
        for (Hash256 h : otherTxids) {
            level.add(h.unsafeWireBytes());
        }
        Sha256d sha = Sha256d.threadLocal();
        while (level.size() > 1) {
            path.add(Hash256.fromWireBytes(level.get(1)));
            List<byte[]> next = new ArrayList<>((level.size() + 1) / 2);
            next.add(null);
            for (int i = 2; i < level.size(); i += 2) {
                byte[] a = level.get(i);
                byte[] b = i + 1 < level.size() ? level.get(i + 1) : a;
                byte[] out = new byte[32];
                sha.hashPair(a, 0, b, 0, out, 0);
                next.add(out);
            }
            level = next;
        }
        return List.copyOf(path);
    }

    /** Merkle root of a full list of txids (coinbase first). */
    public static Hash256 rootOf(List<Hash256> txids) {
        if (txids.isEmpty()) {
            throw new IllegalArgumentException("merkle root of an empty list");
        }
        List<byte[]> level = new ArrayList<>(txids.size());
        for (Hash256 h : txids) {
            level.add(h.unsafeWireBytes());
        }
        Sha256d sha = Sha256d.threadLocal();
        while (level.size() > 1) {
            List<byte[]> next = new ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i < level.size(); i += 2) {
                byte[] a = level.get(i);
                byte[] b = i + 1 < level.size() ? level.get(i + 1) : a;
                byte[] out = new byte[32];
                sha.hashPair(a, 0, b, 0, out, 0);
                next.add(out);
            }
            level = next;
        }
        return Hash256.fromWireBytes(level.getFirst());
    }
}
