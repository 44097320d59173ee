package org.hyperhash.tp.template;

import org.hyperhash.base.ByteWriter;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Sha256d;

import java.util.ArrayList;
import java.util.List;

/**
 * BIP141 witness commitment: {@code OP_RETURN OP_PUSH36 aa21a9ed || SHA256d(witness_root ||
 * witness_reserved_value)}, where the witness merkle root is computed over the wtxids with the
 * coinbase's wtxid replaced by 32 zero bytes, and the reserved value is 32 zero bytes (the value
 * TDP assumes). Not in base yet: candidate to move there.
 */
public final class WitnessCommitment {
    /** {@code 6a 24 aa 21 a9 ed}: OP_RETURN, push 36, the commitment header. */
    public static final Bytes SCRIPT_PREFIX = Bytes.fromHex("6a24aa21a9ed");
    /** The witness reserved value TDP assumes (coinbase witness = one item of 32 zero bytes). */
    public static final Bytes RESERVED_VALUE = Bytes.wrap(new byte[32]);

    private WitnessCommitment() {
    }

    /** The commitment scriptPubKey for the given non-coinbase wtxids (block order). */
    public static Bytes script(List<Hash256> otherWtxids) {
        List<Hash256> leaves = new ArrayList<>(otherWtxids.size() + 1);
        leaves.add(Hash256.ZERO);
        leaves.addAll(otherWtxids);
        Hash256 root = MerkleBranch.rootOf(leaves);
        byte[] pre = new byte[64];
        root.copyTo(pre, 0);
        Hash256 commitment = Sha256d.of(pre);
        return new ByteWriter(38).bytes(SCRIPT_PREFIX).hash(commitment).toBytes();
    }

    /** Whether a scriptPubKey is a witness commitment (BIP141: at least 38 bytes with the prefix). */
    public static boolean isCommitment(Bytes scriptPubKey) {
        if (scriptPubKey.length() < 38) {
            return false;
        }
        for (int i = 0; i < SCRIPT_PREFIX.length(); i++) {
            if (scriptPubKey.get(i) != SCRIPT_PREFIX.get(i)) {
                return false;
            }
        }
        return true;
    }
}
