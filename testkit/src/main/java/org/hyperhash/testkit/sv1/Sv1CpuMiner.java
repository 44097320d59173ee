package org.hyperhash.testkit.sv1;

import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.sv1.Sv1Sv2;
import org.hyperhash.sv1.VersionRolling;

import java.util.Optional;

/** Real SHA-256d mining on the CPU for an SV1 job, for tiny (devnet/test) difficulties. */
public final class Sv1CpuMiner {

    /**
     * A share found.
     *
     * @param extranonce2 the rolled extranonce2
     * @param ntime header time
     * @param nonce header nonce
     * @param versionBits the version bits submitted (0 when not rolling)
     * @param version full header version
     * @param hashWire header hash, wire order
     */
    public record Found(Bytes extranonce2, int ntime, int nonce, int versionBits, int version, byte[] hashWire) {
    }

    private Sv1CpuMiner() {
    }

    /**
     * Scans nonces from {@code startNonce} until a header meets {@code target} or {@code maxHashes}
     * were tried.
     *
     * @param versionBits bits to roll into the version (already within the negotiated mask; 0 for none)
     * @param mask negotiated version-rolling mask (0: none)
     */
    public static Optional<Found> search(MiningNotify job, Bytes extranonce1, Bytes extranonce2, Target target,
            int versionBits, int mask, int startNonce, long maxHashes) {
        int version = VersionRolling.apply(job.version(), versionBits, mask);
        BlockHeader80 h = Sv1Sv2.header(job, extranonce1, extranonce2, job.ntime(), 0, version);
        byte[] header = h.toBytes();
        byte[] out = new byte[32];
        Sha256d sha = new Sha256d();
        int nonce = startNonce;
        for (long i = 0; i < maxHashes; i++, nonce++) {
            header[76] = (byte) nonce;
            header[77] = (byte) (nonce >>> 8);
            header[78] = (byte) (nonce >>> 16);
            header[79] = (byte) (nonce >>> 24);
            sha.hash(header, 0, 80, out, 0);
            if (target.isMetBy(out)) {
                return Optional.of(new Found(extranonce2, job.ntime(), nonce, versionBits, version, out.clone()));
            }
        }
        return Optional.empty();
    }
}
