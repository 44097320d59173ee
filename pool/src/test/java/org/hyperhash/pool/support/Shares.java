package org.hyperhash.pool.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.CompactBits;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.testkit.FakeSv2Miner.Job;

/** Hand-built shares and raw-socket helpers for the pool ITs. */
public final class Shares {
    private Shares() {
    }

    /** A nonce whose header hash meets ({@code meets}) or fails both the job and the network target. */
    public static int nonce(Job j, int ntime, boolean meets) {
        return nonce(j, ntime, meets, 0);
    }

    /** As {@link #nonce(Job, int, boolean)}, searching from {@code from} upwards (distinct shares). */
    public static int nonce(Job j, int ntime, boolean meets, int from) {
        byte[] h = new byte[80];
        byte[] hash = new byte[32];
        Sha256d sha = new Sha256d();
        Target net = CompactBits.toTarget(j.nbits());
        for (int n = from; ; n++) {
            BlockHeader80.write(h, 0, j.version(), j.prevHash().unsafeWireBytes(), j.merkleRoot().unsafeWireBytes(), ntime,
                    j.nbits(), n);
            sha.hash(h, 0, 80, hash, 0);
            boolean ok = j.target().isMetBy(hash) || net.isMetBy(hash);
            if (ok == meets) {
                return n;
            }
        }
    }

    /**
     * True when the peer closes {@code s} (EOF or reset) before {@code timeout}, draining anything it sends;
     * false if it stays open that long.
     */
    public static boolean closedByPeer(Socket s, Duration timeout) throws IOException {
        s.setSoTimeout((int) timeout.toMillis());
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }
}
