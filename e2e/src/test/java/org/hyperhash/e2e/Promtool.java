package org.hyperhash.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs {@code promtool check metrics} (Prometheus' linter: HELP on every family, counter/unit naming) on a
 * scrape. In CI ({@code CI=true}, where .ci/run installs the Debian {@code prometheus} package) a missing promtool
 * fails the test; elsewhere the check is reported as skipped on stderr.
 */
final class Promtool {
    private Promtool() {
    }

    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "promtool"))) {
                return true;
            }
        }
        return false;
    }

    static void checkMetrics(String exposition, String what) throws IOException, InterruptedException {
        if (!available()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("promtool is missing (apt-get install prometheus): CI must lint every daemon's scrape");
            }
            System.err.println("Promtool: skipped 'promtool check metrics' for " + what + " (promtool not on PATH)");
            return;
        }
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool check metrics did not finish for " + what);
        }
        if (p.exitValue() != 0) {
            fail("promtool check metrics rejects the scrape of " + what + ":\n" + out);
        }
    }
}
