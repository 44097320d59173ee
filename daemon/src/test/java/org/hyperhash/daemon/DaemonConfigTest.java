package org.hyperhash.daemon;

import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DaemonConfigTest {
    @Test
    void referenceDefaultsApply() {
        Config c = DaemonConfig.load(null, List.of(), "TESTD", "hyperhash.testd", Map.of());
        assertEquals(6, c.getInt("vardiff.shares-per-minute"));
        assertEquals("default", c.getString("name"));
    }

    @Test
    void precedenceIsReferenceFileEnvSet(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.conf");
        Files.writeString(f, "name = file\nvardiff.shares-per-minute = 10\nadmin.listen = \"127.0.0.1:1\"\n");
        Config fileOnly = DaemonConfig.load(f, List.of(), "TESTD", "hyperhash.testd", Map.of());
        assertEquals("file", fileOnly.getString("name"));
        assertEquals(10, fileOnly.getInt("vardiff.shares-per-minute"));

        Map<String, String> env = Map.of("TESTD_NAME", "env", "TESTD_VARDIFF_SHARES__PER__MINUTE", "12", "OTHER_NAME", "x");
        Config withEnv = DaemonConfig.load(f, List.of(), "TESTD", "hyperhash.testd", env);
        assertEquals("env", withEnv.getString("name"));
        assertEquals(12, withEnv.getInt("vardiff.shares-per-minute"));
        assertEquals("127.0.0.1:1", withEnv.getString("admin.listen"));

        Config withSet = DaemonConfig.load(f, List.of("name=cli", "admin.listen=10.0.0.1:5"), "TESTD", "hyperhash.testd", env);
        assertEquals("cli", withSet.getString("name"));
        assertEquals("10.0.0.1:5", withSet.getString("admin.listen"));
    }

    @Test
    void fileWithFullPathAlsoWorks(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.conf");
        Files.writeString(f, "hyperhash.testd.name = full\n");
        assertEquals("full", DaemonConfig.load(f, List.of(), null, "hyperhash.testd", Map.of()).getString("name"));
    }

    @Test
    void errorsAreClear(@TempDir Path dir) throws Exception {
        var missing = assertThrows(DaemonConfig.ConfigError.class,
                () -> DaemonConfig.load(dir.resolve("nope.conf"), List.of(), null, "hyperhash.testd", Map.of()));
        assertTrue(missing.getMessage().contains("not found"));
        var badSet = assertThrows(DaemonConfig.ConfigError.class,
                () -> DaemonConfig.load(null, List.of("novalue"), null, "hyperhash.testd", Map.of()));
        assertTrue(badSet.getMessage().contains("path=value"));
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "name = {\n");
        var parse = assertThrows(DaemonConfig.ConfigError.class, () -> DaemonConfig.load(bad, List.of(), null, "hyperhash.testd", Map.of()));
        assertTrue(parse.getMessage().contains("cannot parse"));
    }

    @Test
    void secretsAreRedacted() {
        Config c = DaemonConfig.load(null, List.of(), null, "hyperhash.testd", Map.of());
        String rendered = Redact.render(c);
        assertFalse(rendered.contains("hunter2"), rendered);
        assertTrue(rendered.contains(Redact.REDACTED));
        assertTrue(Redact.isSecretKey("lnd.macaroon-path"));
        assertTrue(Redact.isSecretKey("authority.secret-key"));
        assertFalse(Redact.isSecretKey("authority.public-key"));
    }

    @Test
    void hostPortParsing() {
        assertEquals(3333, Banner.parseHostPort("0.0.0.0:3333").getPort());
        assertEquals(8080, Banner.parseHostPort("8080").getPort());
        assertTrue(Banner.parseHostPort("[::1]:1").getAddress().isLoopbackAddress());
        assertThrows(DaemonConfig.ConfigError.class, () -> Banner.parseHostPort("nohost"));
        assertThrows(DaemonConfig.ConfigError.class, () -> Banner.parseHostPort("h:99999"));
    }
}
