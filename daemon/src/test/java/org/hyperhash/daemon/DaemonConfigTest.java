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
        assertFalse(Redact.isSecretKey("sv2.authority-secret-key-file"));
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

    private static DaemonConfig.ConfigError fails(Path file, List<String> sets, Map<String, String> env) {
        return assertThrows(DaemonConfig.ConfigError.class, () -> DaemonConfig.load(file, sets, "TESTD", "hyperhash.testd", env));
    }

    @Test
    void unknownKeysAreErrorsWithSuggestionsInEverySource(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.conf");
        Files.writeString(f, "vardiff.shares-per-minit = 5\n");
        String m = fails(f, List.of(), Map.of()).getMessage();
        assertTrue(m.contains("unknown key hyperhash.testd.vardiff.shares-per-minit"), m);
        assertTrue(m.contains("did you mean 'shares-per-minute'"), m);
        assertTrue(m.contains("d.conf"), m);

        m = fails(null, List.of("admin.lisen=\"127.0.0.1:1\""), Map.of()).getMessage();
        assertTrue(m.contains("hyperhash.testd.admin.lisen") && m.contains("did you mean 'listen'"), m);

        m = fails(null, List.of(), Map.of("TESTD_ADMIN_LISTN", "127.0.0.1:1")).getMessage();
        assertTrue(m.contains("hyperhash.testd.admin.listn") && m.contains("environment variable TESTD_ADMIN_LISTN"), m);

        // keys inside the objects of a list are checked against the reference's first element
        m = fails(null, List.of("pools=[{host=a, port=1, authorty-key=x}]"), Map.of()).getMessage();
        assertTrue(m.contains("hyperhash.testd.pools[0].authorty-key") && m.contains("did you mean 'authority-key'"), m);
        // a whole unknown section
        m = fails(null, List.of("vardif.enabled=false"), Map.of()).getMessage();
        assertTrue(m.contains("did you mean 'vardiff'"), m);
        // an open map ({} in the reference) takes any key
        assertEquals("x", DaemonConfig.load(null, List.of("labels.anything=x"), null, "hyperhash.testd", Map.of())
                .getString("labels.anything"));
    }

    @Test
    void fullPathsAsPrintConfigPrintsThemWorkInSet() {
        Config c = DaemonConfig.load(null, List.of("hyperhash.testd.network=regtest"), null, "hyperhash.testd", Map.of());
        assertEquals("regtest", c.getString("network"));
        String m = fails(null, List.of("hyperhash.other.network=regtest"), Map.of()).getMessage();
        assertTrue(m.contains("not a key of this daemon"), m);
        DaemonConfig.Loaded l = DaemonConfig.loadDetailed(null, List.of("hyperhash.testd.network=regtest"), null,
                "hyperhash.testd", Map.of());
        assertTrue(l.isExplicit("network"));
        assertFalse(DaemonConfig.loadDetailed(null, List.of(), null, "hyperhash.testd", Map.of()).isExplicit("network"));
    }

    @Test
    void valuesAreTypeCheckedWithTheFullPath() {
        String m = fails(null, List.of("vardiff.shares-per-minute=abc"), Map.of()).getMessage();
        assertTrue(m.contains("hyperhash.testd.vardiff.shares-per-minute: expected a number, got abc"), m);
        m = fails(null, List.of("vardiff.enabled=maybe"), Map.of()).getMessage();
        assertTrue(m.contains("hyperhash.testd.vardiff.enabled: expected true or false"), m);
        m = fails(null, List.of("vardiff.window=soon"), Map.of()).getMessage();
        assertTrue(m.contains("hyperhash.testd.vardiff.window: expected a duration"), m);
        m = fails(null, List.of("pools=[{host=a, port=x}]"), Map.of()).getMessage();
        assertTrue(m.contains("hyperhash.testd.pools[0].port: expected a number"), m);
        m = fails(null, List.of("vardiff=3"), Map.of()).getMessage();
        assertTrue(m.contains("hyperhash.testd.vardiff: expected a section"), m);
        // numbers given as strings (env variables always are) are fine
        assertEquals(7, DaemonConfig.load(null, List.of(), "TESTD", "hyperhash.testd",
                Map.of("TESTD_VARDIFF_SHARES__PER__MINUTE", "7")).getInt("vardiff.shares-per-minute"));
    }

    @Test
    void fileKeysOutsideTheRootAreErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.conf");
        Files.writeString(f, "hyperhash.testd.name = x\nstray = 1\n");
        assertTrue(fails(f, List.of(), Map.of()).getMessage().contains("unknown key 'stray'"));
        Files.writeString(f, "hyperhash.tsetd.name = x\n");
        String m = fails(f, List.of(), Map.of()).getMessage();
        assertTrue(m.contains("unknown section 'hyperhash.tsetd'") && m.contains("did you mean 'testd'"), m);
    }

    @Test
    void editDistance() {
        assertEquals(1, DaemonConfig.editDistance("securty", "security"));
        assertEquals(0, DaemonConfig.editDistance("a", "a"));
        assertEquals(3, DaemonConfig.editDistance("abc", ""));
    }

    @Test
    void credentialsInsideUrlsAreRedacted() {
        assertEquals("jdbc:postgresql://h:5432/db?user=hh&password=<redacted>&ssl=true",
                Redact.text("jdbc:postgresql://h:5432/db?user=hh&password=s3cr3t&ssl=true"));
        assertEquals("connect http://rpc:<redacted>@127.0.0.1:8332/ failed",
                Redact.text("connect http://rpc:s3cr3t@127.0.0.1:8332/ failed"));
        assertEquals("http://127.0.0.1:8332/", Redact.text("http://127.0.0.1:8332/"));
        Config c = DaemonConfig.load(null, List.of("rpc.url=\"http://u:pw1234@h:1/\"", "name=\"jdbc:x://h/d?password=pw5678\""),
                null, "hyperhash.testd", Map.of());
        String r = Redact.render(c);
        assertFalse(r.contains("pw1234") || r.contains("pw5678") || r.contains("hunter2"), r);
        // a bad value of a secret key is not echoed in the error
        String m = fails(null, List.of("rpc.password={a=1}"), Map.of()).getMessage();
        assertFalse(m.contains("a=1"), m);
    }
}
