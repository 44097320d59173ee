package org.hyperhash.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The {@code config-examples/*.conf} files of the module under test (listed, so a new one cannot escape a test). */
public final class ConfigExamples {
    private ConfigExamples() {
    }

    /** Every example, sorted; fails when there is none (a moved directory must not pass silently). */
    public static List<Path> list() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("config-examples"))) {
            List<Path> l = s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
            if (l.isEmpty()) {
                throw new AssertionError("no config examples found under " + Path.of("config-examples").toAbsolutePath());
            }
            return l;
        }
    }

    /** The network an example is for: its file name without ".conf" (mainnet, testnet4, signet, regtest, devnet). */
    public static String network(Path example) {
        String n = example.getFileName().toString();
        return n.substring(0, n.length() - ".conf".length());
    }
}
