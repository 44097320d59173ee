package org.hyperhash.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoRunnerIT {
    @TempDir
    Path dir;

    @Test
    void demoMinesBlocksAndCreditsMiners() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = DemoRunner.run(new DemoOptions(DemoStack.Ports.ephemeral(), dir, 2, 1, 20_000, 0x1f00ffff, Duration.ofSeconds(16), Duration.ofMillis(500)),
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        // not a terminal: plain lines only, the endpoints listed once at the start
        assertFalse(out.contains("\u001b"), "no ANSI codes when stdout is not a terminal:\n" + out);
        assertTrue(Pattern.compile("(?m)^hh demo: SV2 pool \\(Noise\\): stratum2\\+tcp://127\\.0\\.0\\.1:\\d+/9\\w+$").matcher(out).find(), out);
        assertTrue(Pattern.compile("(?m)^hh demo: Treasury admin: http://127\\.0\\.0\\.1:\\d+/v1/status").matcher(out).find(), out);
        assertTrue(Pattern.compile("(?m)^hh demo: Miner web page: http://127\\.0\\.0\\.1:\\d+/").matcher(out).find(), out);
        String last = out.substring(out.lastIndexOf('\n', out.length() - 2) + 1);
        Matcher m = Pattern.compile("shares accepted (\\d+).*chain accepted (\\d+)\\) \\| credited (\\d+) \\| owed (\\d+) sats").matcher(last);
        assertTrue(m.find(), last);
        assertTrue(Long.parseLong(m.group(1)) > 0, last);
        assertTrue(Long.parseLong(m.group(2)) > 0, last);
        assertEquals(3, Integer.parseInt(m.group(3)), last); // two SV2 miners and the SV1 miner
        // blocks are credited 5 s (pplns.snapshot-delay) after they are found, at 3 confirmations
        assertTrue(Long.parseLong(m.group(4)) > 0, "the treasury credited matured blocks: " + last);
    }

    /** --hyper-node: the Hyper Node connects to the pool, declares its jobs, and a miner mines through it. */
    @Test
    void demoWithAHyperNodeDeclaresJobsToThePool() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = DemoRunner.run(new DemoOptions(DemoStack.Ports.ephemeral(), dir, 2, 0, 20_000, 0x1f00ffff, Duration.ofSeconds(20),
                Duration.ofMillis(500), true), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(Pattern.compile("(?m)^hh demo: SV2 Hyper Node: stratum2\\+tcp://127\\.0\\.0\\.1:\\d+/9\\w+").matcher(out).find(), out);
        Matcher m = Pattern.compile("hyper node on demo-pool, (\\d+) jobs declared").matcher(out);
        long declared = 0;
        while (m.find()) {
            declared = Long.parseLong(m.group(1));
        }
        assertTrue(declared > 0, "the Hyper Node declared jobs to the demo pool:\n" + out);
    }
}
