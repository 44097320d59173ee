package org.hyperhash.treasury;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hash-chained audit log: secrets redacted, any edit or removal detected, a broken log refused on open. */
class AuditLogTest {
    @TempDir
    Path tmp;

    @Test
    void auditLogChainDetectsTampering() throws Exception {
        Path f = tmp.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(f, InstantSource.system())) {
            log.append("a", Map.of("x", 1, "keysend_preimage", "deadbeef", "macaroon", "secret"));
            log.append("b", Map.of("y", "z"));
        }
        try (AuditLog log = AuditLog.open(f, InstantSource.system())) {
            log.append("c", Map.of());
        }
        assertEquals(new AuditLog.Verification(true, 3, null), AuditLog.verify(f));
        String text = Files.readString(f);
        assertTrue(!text.contains("deadbeef") && !text.contains("secret"), text);
        Files.writeString(f, text.replace("\"y\":\"z\"", "\"y\":\"w\""));
        assertEquals(false, AuditLog.verify(f).ok());
        assertThrows(TreasuryException.class, () -> AuditLog.open(f, InstantSource.system()));
        List<String> lines = Files.readAllLines(java.nio.file.Path.of(f.toString()));
        Files.write(f, List.of(text.split("\n")[0], text.split("\n")[2]));
        assertEquals("line 2 does not follow line 1", AuditLog.verify(f).problem());
        assertEquals(3, lines.size());
    }
}
