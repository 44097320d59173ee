package org.hyperhash.base;

import java.util.ArrayList;
import java.util.List;

/**
 * A full block: header, CompactSize tx count, transactions (witness form when present). Cold path
 * (block submission, tests against bitcoind fixtures).
 *
 * @param header the 80-byte header
 * @param transactions coinbase first
 */
public record Block(BlockHeader80 header, List<Transaction> transactions) {
    public Block {
        transactions = List.copyOf(transactions);
    }

    public static Block parse(byte[] raw) {
        ByteReader r = new ByteReader(raw);
        BlockHeader80 h = BlockHeader80.parse(r.bytes(BlockHeader80.LENGTH, "block.header"), 0);
        int n = r.compactSizeInt("block.tx_count", raw.length / 60 + 1);
        List<Transaction> txs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            txs.add(Transaction.read(r));
        }
        if (r.hasRemaining()) {
            throw new MalformedDataException("block", r.remaining() + " trailing bytes");
        }
        return new Block(h, txs);
    }

    public Bytes serialize() {
        ByteWriter w = new ByteWriter(1024);
        w.bytes(header.toBytes());
        w.compactSize(transactions.size());
        for (Transaction tx : transactions) {
            tx.writeTo(w, tx.hasWitness());
        }
        return w.toBytes();
    }

    /** Merkle root recomputed from the transactions' txids. */
    public Hash256 computeMerkleRoot() {
        return MerkleBranch.rootOf(transactions.stream().map(Transaction::txid).toList());
    }

    public Hash256 hash() {
        return header.hash();
    }
}
