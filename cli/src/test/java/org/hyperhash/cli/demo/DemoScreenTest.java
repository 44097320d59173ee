package org.hyperhash.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoScreenTest {
    static final DemoScreen.Snapshot S = new DemoScreen.Snapshot(Duration.ofSeconds(3725), 112, 101,
            "00000a1b2c3d4e5f00000000000000000000000000000000000000009f8e7d6c", Duration.ofSeconds(12), 61_234, 3, 4, 3,
            1234, 7, "stale-share", 5, 11, 12_345_678);

    @Test
    void dashboardShowsEveryFigureAndEndpoint() {
        List<String> lines = DemoScreen.dashboard(S, List.of(new DemoScreen.Endpoint("SV2 pool (Noise)", "stratum2+tcp://127.0.0.1:34254/9bKEY"),
                new DemoScreen.Endpoint("Pool admin", "http://127.0.0.1:9090/v1/status")), "Logs: /tmp/demo.log");
        String all = String.join("\n", lines);
        assertTrue(all.contains("up 01:02:05"), all);
        assertTrue(all.contains("height 112, last block 00000a1b..9f8e7d6c (12 s ago)"), all);
        assertTrue(all.contains("hashrate 61.2 kH/s, miners 3 (connections), workers 4 (channels)"), all);
        assertTrue(all.contains("accepted 1234, rejected 7, top reason stale-share (5)"), all);
        assertTrue(all.contains("found 11, accepted by the chain 11"), all);
        assertTrue(all.contains("Balances  0.12345678 BTC (12345678 sats) owed to 3 miner address(es)"), all);
        // endpoint labels are padded to one column
        assertTrue(lines.contains("    SV2 pool (Noise)  stratum2+tcp://127.0.0.1:34254/9bKEY"), all);
        assertTrue(lines.contains("    Pool admin        http://127.0.0.1:9090/v1/status"), all);
        assertTrue(all.endsWith("  Logs: /tmp/demo.log"), all);
        assertFalse(all.contains("\u001b"), "no control codes in the lines themselves");
    }

    @Test
    void frameRedrawsInPlaceAndErasesLeftovers() {
        String f = DemoScreen.frame(List.of("a", "bb"));
        assertEquals("\u001b[Ha\u001b[K\nbb\u001b[K\n\u001b[J", f);
    }

    @Test
    void plainLineHasNoControlCodesAndNoTopReasonWithoutRejects() {
        String p = DemoScreen.plainLine(S);
        assertEquals("height 112 | hashrate 61.2 kH/s | miners 3 workers 4 | shares accepted 1234 rejected 7 top reason stale-share (5) | "
                + "blocks found 11 (chain accepted 11) | credited 3 | owed 12345678 sats (dry-run)", p);
        DemoScreen.Snapshot none = new DemoScreen.Snapshot(Duration.ZERO, 1, 1, "00", null, 2.5e6, 0, 0, 0, 0, 0, null, 0, 0, 0);
        assertTrue(DemoScreen.plainLine(none).contains("hashrate 2.50 MH/s"), DemoScreen.plainLine(none));
        assertTrue(DemoScreen.plainLine(none).contains("rejected 0 | "), DemoScreen.plainLine(none));
        assertTrue(String.join("\n", DemoScreen.dashboard(none, List.of(), null)).contains("last block 00\n"));
    }
}
