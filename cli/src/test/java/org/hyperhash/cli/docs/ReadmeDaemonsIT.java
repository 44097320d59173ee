package org.hyperhash.cli.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's "run the daemons one by one", taken from README.md itself and run as written (see
 * {@link ShellSandbox}: a scratch repository view, documented ports in a network namespace of their own).
 * Blocks in that section: a block whose first line is {@code # terminal N: ...} is a daemon left running
 * (started in order, each once its output says it is listening); a block starting {@code # check} is
 * retried until it succeeds; any other block runs to completion and must exit 0. The daemons must include
 * the treasury, the keys must be the ones the setup block generated, and every daemon must still run at the end.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReadmeDaemonsIT {
    static final String SECTION = "Or run the daemons one by one";

    @TempDir
    Path dir;

    @Test
    void theReadmeCommandsRunAsWritten() throws Exception {
        String readme = Files.readString(ShellSandbox.repo().resolve("README.md"));
        List<MarkdownBlocks.Block> blocks = MarkdownBlocks.parse(MarkdownBlocks.section(readme, SECTION));
        List<MarkdownBlocks.Block> terminals = blocks.stream().filter(b -> b.firstLine().startsWith("# terminal")).toList();
        List<MarkdownBlocks.Block> checks = blocks.stream().filter(b -> b.firstLine().startsWith("# check")).toList();
        for (String daemon : List.of("./hh tp", "./hh pool", "./hh translator", "./hh treasury")) {
            assertTrue(terminals.stream().anyMatch(b -> b.body().contains(daemon + " ")), "no terminal block runs " + daemon);
        }
        assertEquals(1, checks.size(), "one # check block");
        assertFalse(MarkdownBlocks.section(readme, SECTION).contains("9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72"),
                "SRI's sample key in the README's commands: they generate their own");

        Path work = Files.createDirectories(dir.resolve("repo"));
        Path logs = Files.createDirectories(dir.resolve("out"));
        try (ShellSandbox box = ShellSandbox.start(work, Map.of())) {
            int n = 0;
            List<Process> daemons = new ArrayList<>();
            List<Path> daemonOut = new ArrayList<>();
            for (MarkdownBlocks.Block b : blocks) {
                Path out = logs.resolve("block-" + (++n) + ".txt");
                if (b.firstLine().startsWith("# terminal")) {
                    Process p = box.start(b.body(), out);
                    awaitListening(p, out, b);
                    daemons.add(p);
                    daemonOut.add(out);
                } else if (b.firstLine().startsWith("# check")) {
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                    int rc;
                    do {
                        rc = box.run(b.body(), out, 30);
                        if (rc != 0) {
                            Thread.sleep(1000);
                        }
                    } while (rc != 0 && System.nanoTime() < until);
                    assertEquals(0, rc, "README check (line " + b.line() + ") never passed: " + Files.readString(out)
                            + "\n" + outputs(daemonOut));
                } else {
                    int rc = box.run(b.body(), out, 120);
                    assertEquals(0, rc, "README block at line " + b.line() + " failed:\n" + b.body() + "\n" + Files.readString(out));
                }
            }
            for (int i = 0; i < daemons.size(); i++) {
                assertTrue(daemons.get(i).isAlive(), "a daemon exited:\n" + Files.readString(daemonOut.get(i)));
            }
            // the keys are the ones the README's own commands generated (not a sample key baked into a config)
            String poolPub = Files.readString(work.resolve("hh-data/keys/pool/authority-public-key")).strip();
            String tpPub = Files.readString(work.resolve("hh-data/keys/tp/authority-public-key")).strip();
            assertTrue(poolPub.startsWith("9") && poolPub.length() > 40, poolPub);
            String all = outputs(daemonOut);
            assertTrue(all.contains(poolPub), "the pool signs with the key in hh-data/keys/pool:\n" + all);
            assertTrue(all.contains(tpPub), "the TP signs with the key in hh-data/keys/tp:\n" + all);
            assertFalse(all.contains(" ERROR "), "an ERROR in the daemons' logs:\n" + all);
        }
    }

    private static void awaitListening(Process p, Path out, MarkdownBlocks.Block b) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < until) {
            String text = Files.readString(out);
            if (text.contains("listening")) {
                return;
            }
            if (!p.isAlive()) {
                fail("README terminal block (line " + b.line() + ") exited " + p.exitValue() + ":\n" + b.body() + "\n" + text);
            }
            Thread.sleep(200);
        }
        fail("README terminal block (line " + b.line() + ") never logged 'listening':\n" + Files.readString(out));
    }

    private static String outputs(List<Path> files) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        for (Path f : files) {
            b.append("--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
        }
        return b.toString();
    }
}
