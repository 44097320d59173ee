package org.hyperhash.pool.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.hyperhash.pool.identity.UserIdentityParser.InvalidIdentityException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class UserIdentityParserTest {
    private static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) (n >>> 24);
        h[1] = (byte) (n >>> 16);
        h[2] = (byte) (n >>> 8);
        h[3] = (byte) n;
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }

    @Test
    void cachedScriptIsTheParsedScriptForEveryWorker() throws Exception {
        UserIdentityParser p = new UserIdentityParser(PoolNetwork.REGTEST, "solo:");
        String a = address(7);
        MinerIdentity first = p.parse(a + ".rig1");
        assertEquals(1, p.cachedAddresses());
        MinerIdentity second = p.parse("solo:" + a + ".rig2");
        assertEquals(1, p.cachedAddresses());
        assertSame(first.scriptPubKey(), second.scriptPubKey());
        assertEquals(PoolNetwork.REGTEST.parse(a), second.scriptPubKey());
        assertEquals("rig2", second.worker());
        assertTrue(second.solo());
        // a second parser on another network does not see this cache
        assertThrows(InvalidIdentityException.class, () -> new UserIdentityParser(PoolNetwork.MAINNET, "").parse(a));
    }

    @Test
    void invalidAddressesAreRejectedEveryTimeAndNotCached() {
        UserIdentityParser p = new UserIdentityParser(PoolNetwork.REGTEST, "");
        String bad = address(1).substring(0, 40) + "x";
        for (int i = 0; i < 3; i++) {
            assertThrows(InvalidIdentityException.class, () -> p.parse(bad + ".w"));
        }
        assertEquals(0, p.cachedAddresses());
    }

    @Test
    void cacheIsBounded() throws Exception {
        UserIdentityParser p = new UserIdentityParser(PoolNetwork.REGTEST, "");
        int n = UserIdentityParser.MAX_CACHED_ADDRESSES + 10;
        for (int i = 0; i < n; i++) {
            p.parse(address(i));
            assertTrue(p.cachedAddresses() <= UserIdentityParser.MAX_CACHED_ADDRESSES);
        }
        assertEquals(10, p.cachedAddresses()); // cleared once when full, then refilled
        assertEquals(PoolNetwork.REGTEST.parse(address(3)), p.parse(address(3)).scriptPubKey());
    }
}
