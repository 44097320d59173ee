package org.hyperhash.e2e;

import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;

/**
 * Payout addresses for the e2e tests: P2WPKH on regtest whose 20-byte hash is zero but for its first and last byte.
 * Each test class picks its own bytes, so addresses stay apart across tests that share a ledger database.
 */
final class TestAddresses {
    private TestAddresses() {
    }

    static String regtest(int firstByte, int lastByte) {
        byte[] h = new byte[20];
        h[0] = (byte) firstByte;
        h[19] = (byte) lastByte;
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }
}
