package org.hyperhash.sv1;

import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Sha256d;
import org.hyperhash.sv2.message.Tlv;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Pure SV2 ↔ SV1 conversions of jobs and shares (sv2-protocol.md 8.3). */
public final class Sv1Sv2 {
    private Sv1Sv2() {
    }

    /**
     * SV1 notify for an SV2 extended job on a chain tip: coinb1 = prefix (+ the layout's fixed bytes),
     * coinb2 = suffix, branch = merkle_path, version from the job, nbits from the tip, ntime = job
     * min_ntime if present else the tip's.
     */
    public static MiningNotify notify(String sv1JobId, NewExtendedMiningJob job, SetNewPrevHash tip, ExtranonceLayout layout,
            boolean cleanJobs) {
        int ntime = job.minNtime().isPresent() ? job.minNtime().getAsInt() : tip.minNtime();
        return new MiningNotify(sv1JobId, tip.prevHash(), layout.coinb1(job.coinbaseTxPrefix()), job.coinbaseTxSuffix(),
                job.merklePath(), job.version(), tip.nbits(), ntime, cleanJobs);
    }

    /** nVersion of a share: BIP310 formula when version bits were sent, else the job's version. */
    public static int shareVersion(int jobVersion, MiningSubmit s, int mask) {
        return s.versionBits().isPresent() ? VersionRolling.apply(jobVersion, s.versionBits().getAsInt(), mask) : jobVersion;
    }

    /**
     * The SubmitSharesExtended for an SV1 share.
     *
     * @param workerTlv user_identity TLV value (0x0002/0x01), or null when the extension is not negotiated
     */
    public static SubmitSharesExtended submit(int channelId, int sequenceNumber, int sv2JobId, ExtranonceLayout layout,
            long minerIndex, MiningSubmit s, int version, String workerTlv) {
        List<Tlv> tlvs = workerTlv == null ? List.of()
                : List.of(new Tlv(Tlv.EXT_WORKER_HASHRATE, Tlv.FIELD_USER_IDENTITY, Bytes.wrap(truncateUtf8(workerTlv, 32))));
        return new SubmitSharesExtended(channelId, sequenceNumber, sv2JobId, s.nonce(), s.ntime(), version,
                layout.upstreamExtranonce(minerIndex, s.extranonce2()), tlvs);
    }

    /** The miner's coinbase: {@code coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2}. */
    public static Bytes coinbase(Bytes coinb1, Bytes extranonce1, Bytes extranonce2, Bytes coinb2) {
        return coinb1.concat(extranonce1).concat(extranonce2).concat(coinb2);
    }

    /** Merkle root (wire order) of a notify's coinbase and branch. */
    public static Hash256 merkleRoot(Bytes coinbase, List<Hash256> branch) {
        return MerkleBranch.root(Sha256d.of(coinbase), branch);
    }

    /** The 80-byte header a miner hashes for a share of this notify. */
    public static BlockHeader80 header(MiningNotify n, Bytes extranonce1, Bytes extranonce2, int ntime, int nonce, int version) {
        Hash256 root = merkleRoot(coinbase(n.coinb1(), extranonce1, extranonce2, n.coinb2()), n.merkleBranch());
        return new BlockHeader80(version, n.prevHash(), root, ntime, n.nbits(), nonce);
    }

    static byte[] truncateUtf8(String s, int maxBytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return b;
        }
        int n = maxBytes;
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--; // do not split a code point
        }
        return java.util.Arrays.copyOf(b, n);
    }
}
