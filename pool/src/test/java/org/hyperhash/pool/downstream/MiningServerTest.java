package org.hyperhash.pool.downstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MiningServerTest {
    private static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");

    @Test
    void somaxconnIsReadToTheEndOfTheProcFile() throws Exception {
        assumeTrue(Files.exists(SOMAXCONN), "Linux only");
        String whole;
        try (FileInputStream in = new FileInputStream(SOMAXCONN.toFile())) {
            whole = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
        // the first version read "4" of "4096" (Files.readString on a size-0 procfs file) and warned at every bind
        assertEquals(Integer.parseInt(whole), MiningServer.somaxconn());
    }
}
