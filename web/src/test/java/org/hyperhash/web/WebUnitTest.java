package org.hyperhash.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.web.LedgerView.BadRequest;
import org.junit.jupiter.api.Test;

/** The web module's pure parts: config, input checks, rate limiter, cache, escaping, hashrate maths. */
class WebUnitTest {
    private static WebConfig config(String... sets) {
        return WebConfig.from(DaemonConfig.load(null, List.of(sets), null, WebConfig.ROOT, Map.of()));
    }

    @Test
    void configDefaultsAndOperatorMistakes() {
        WebConfig c = config();
        assertEquals(8080, c.listen().getPort());
        assertEquals(Duration.ofSeconds(5), c.http().cacheTtl());
        DaemonConfig.ConfigError e = assertThrows(DaemonConfig.ConfigError.class, () -> config("http.cache-tll=5s"));
        assertTrue(e.getMessage().contains("unknown key hyperhash.web.http.cache-tll"), e.getMessage());
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> config("network=mainet")).getMessage().contains("network"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> config("explorer.block-url=\"javascript:alert(1)\""))
                .getMessage().contains("explorer.block-url"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> config("http.page-size=500")).getMessage().contains("page-size"));
        assertEquals("https://x.example/block/ab", config("explorer.block-url=\"https://x.example/block/{hash}\"").blockLink("ab", 7));
        assertEquals(null, c.blockLink("ab", 7));
    }

    @Test
    void pathsRefuseTraversalAndEncodedSeparators() {
        assertEquals("/address/bcrt1q", WebServer.checkedPath("/address/bcrt1q"));
        assertEquals("/blocks", WebServer.checkedPath("/blocks/"));
        assertEquals("/api/v1/", WebServer.checkedPath("/api/v1/"));
        for (String bad : List.of("/static/../x", "/static/%2e%2e/x", "/a%2fb", "/a%5cb", "//etc/passwd", "/a/./b", "/a%00", "x", "",
                "/a%0ab", "/%C0%AE%C0%AE/")) {
            assertThrows(BadRequest.class, () -> WebServer.checkedPath(bad), bad);
        }
    }

    @Test
    void queriesAreBoundedAndCanonical() {
        assertEquals(Map.of("a", "1", "b", "x y"), WebServer.query("b=x%20y&a=1"));
        assertEquals("{a=1, b=2}", WebServer.query("b=2&a=1").toString());
        assertThrows(BadRequest.class, () -> WebServer.query("a=1&a=2"));
        assertThrows(BadRequest.class, () -> WebServer.query("a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1"));
        assertThrows(BadRequest.class, () -> WebServer.query("A=1"));
        assertThrows(BadRequest.class, () -> WebServer.query("a=" + "x".repeat(2001)));
        assertThrows(BadRequest.class, () -> WebServer.query("a=%zz"));
    }

    @Test
    void rateLimiterRefillsAndBoundsTrackedIps() {
        RateLimiter r = new RateLimiter(2, 3, 2);
        long t = 1_000_000_000L;
        assertEquals(0, r.acquire("a", t));
        assertEquals(0, r.acquire("a", t));
        assertEquals(0, r.acquire("a", t));
        assertEquals(1, r.acquire("a", t), "burst used up: retry after 1 s");
        assertEquals(0, r.acquire("a", t + 500_000_000L), "half a second refills one token at 2/s");
        assertEquals(0, r.acquire("b", t));
        assertEquals(0, r.acquire("c", t), "third IP goes to the shared overflow bucket");
        assertEquals(2, r.tracked());
        assertEquals(0, r.acquire("d", t + 10_000_000_000L), "idle full buckets are evicted for new IPs");
        assertTrue(r.tracked() <= 2);
    }

    @Test
    void cacheComputesOncePerTtlAndNeverKeepsErrors() {
        ResponseCache cache = new ResponseCache(Duration.ofSeconds(5), 3);
        AtomicInteger computed = new AtomicInteger();
        long now = 0;
        ResponseCache.Entry e1 = cache.get("k", now, () -> entry(200, computed.incrementAndGet(), now));
        ResponseCache.Entry e2 = cache.get("k", now + 1_000_000_000L, () -> entry(200, computed.incrementAndGet(), now));
        assertEquals(e1, e2);
        assertEquals(1, computed.get());
        cache.get("k", now + 6_000_000_000L, () -> entry(200, computed.incrementAndGet(), now + 6_000_000_000L));
        assertEquals(2, computed.get(), "expired: computed again");
        cache.get("e", now, () -> entry(500, computed.incrementAndGet(), now));
        cache.get("e", now, () -> entry(500, computed.incrementAndGet(), now));
        assertEquals(4, computed.get(), "a 5xx is not cached");
        for (int i = 0; i < 10; i++) {
            cache.get("x" + i, now, () -> entry(200, 0, now));
        }
        assertTrue(cache.size() <= 3, "bounded");
    }

    private static ResponseCache.Entry entry(int status, int n, long now) {
        return new ResponseCache.Entry(status, "text/plain", new byte[] {(byte) n}, now + 5_000_000_000L);
    }

    @Test
    void htmlEscapingAndFormats() {
        assertEquals("&lt;script&gt;&amp;&quot;&#39;", Fmt.h("<script>&\"'"));
        assertEquals("1.50 kH/s", Fmt.hashrate(1500));
        assertEquals("0 H/s", Fmt.hashrate(0));
        assertEquals("120 TH/s", Fmt.hashrate(1.2e14));
        assertEquals("1,234 sats", Fmt.sats(1234));
        assertEquals("1.500 sats", Fmt.msatAsSats(1500));
        assertEquals("12.50%", Fmt.percent(0.125));
    }

    @Test
    void hashrateOfAYoungMinerIsOverItsMiningTime() {
        long now = 1_000_000;
        // 60 s of mining at difficulty 1 per 10 s: 6 work in 60 s, not spread over 10 minutes
        assertEquals(6 * LedgerView.TWO_POW_32 / 60, LedgerView.rate(6, 600, now - 60_000L, now), 1e-6);
        assertEquals(6 * LedgerView.TWO_POW_32 / 600, LedgerView.rate(6, 600, now - 3_600_000L, now), 1e-6);
        assertEquals(1 * LedgerView.TWO_POW_32 / LedgerView.MIN_RATE_SECONDS, LedgerView.rate(1, 600, now - 1_000L, now), 1e-6);
        assertEquals("pending", LedgerView.state("accepted", "pending"));
        assertEquals("mature", LedgerView.state("confirmed", "credited"));
        assertEquals("orphaned", LedgerView.state("orphaned", null));
        assertEquals("rejected", LedgerView.state("rejected", null));
    }

    @Test
    void partOfAnHourAfterACutOffAssumesEvenlySpreadShares() {
        assertEquals(10.0, LedgerView.after(10, 1_000, 2_000, 500), "all shares after the cut-off");
        assertEquals(0.0, LedgerView.after(10, 1_000, 2_000, 2_001), "all before");
        assertEquals(2.5, LedgerView.after(10, 1_000, 2_000, 1_750), 1e-12, "a quarter of the span after the cut-off");
        assertEquals(10.0, LedgerView.after(10, 1_500, 1_500, 1_500), "one share at the cut-off counts");
        assertEquals(0.0, LedgerView.after(0, 1_000, 2_000, 1_500));
    }

    @Test
    void difficultiesAndReasonsAreShownAsPoolsDo() {
        assertEquals("-", Fmt.difficulty(0));
        assertEquals("-", Fmt.difficulty(Double.POSITIVE_INFINITY));
        assertEquals("512", Fmt.difficulty(512));
        assertEquals("0.0123", Fmt.difficulty(0.0123));
        assertEquals("1.85e-08", Fmt.difficulty(1.853978479088905E-8), "devnet shares are not shown as 0.00");
        assertEquals("5.00 k", Fmt.difficulty(5_000));
        assertEquals("1.23 M", Fmt.difficulty(1_234_567));
        assertEquals("45.6 G", Fmt.difficulty(45.6e9));
        assertEquals("stale share 3, duplicate share 1,234",
                Fmt.reasons(new java.util.LinkedHashMap<>(Map.of("stale_share", 3L))) + ", " + Fmt.reasons(Map.of("duplicate_share", 1234L)));
    }
}
