package org.hyperhash.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentConfigTest {
    @TempDir
    Path dir;

    @Test
    void precedenceFileEnvSet() throws Exception {
        Path f = dir.resolve("node-agent.conf");
        Files.writeString(f, """
                # node agent
                manifest.url = https://core.example/releases/release.json
                poll.interval-seconds = 60
                units = hh-pool.service
                unit.hh-pool.service.admin-url = http://127.0.0.1:9090
                """);
        AgentConfig c = AgentConfig.load(f, Map.of("AGENT_POLL_INTERVAL__SECONDS", "120", "AGENT_INSTALL_KEEP", "5",
                "AGENT_UNIT_HH__POOL_SERVICE_ADMIN__URL", "http://127.0.0.1:9999", "OTHER", "x"), List.of("install.keep=4"));
        assertEquals(Duration.ofSeconds(120), c.pollInterval());
        assertEquals(4, c.keep());
        assertEquals(URI.create("http://127.0.0.1:9999"), c.adminUrls().get("hh-pool.service"));
        assertEquals(URI.create("https://core.example/releases/roots/"), c.rootsUrl());
        assertEquals("127.0.0.1:8442", c.statusListen());
        assertEquals("AGENT_HEALTH_DEADLINE__SECONDS", AgentConfig.envName("health.deadline-seconds"));
    }

    @Test
    void downloadTimeoutDefaultsToHalfAnHourAndMustBePositive() throws Exception {
        assertEquals(Duration.ofMinutes(30), AgentConfig.load(null, Map.of(), List.of()).downloadTimeout());
        assertEquals(Duration.ofSeconds(90), AgentConfig.load(null, Map.of("AGENT_DOWNLOAD_TIMEOUT__SECONDS", "90"), List.of())
                .downloadTimeout());
        for (String bad : List.of("0", "-1", "x")) {
            var e = assertThrows(AgentConfig.ConfigError.class,
                    () -> AgentConfig.load(null, Map.of(), List.of("download.timeout-seconds=" + bad)));
            assertTrue(e.getMessage().contains("download.timeout-seconds"), e.getMessage());
        }
    }

    @Test
    void errorsNameTheKey() {
        var e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(null, Map.of(), List.of("install.keep=1")));
        assertTrue(e.getMessage().contains("install.keep"), e.getMessage());
        e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(null, Map.of(), List.of("manifest.url=ftp://x")));
        assertTrue(e.getMessage().contains("manifest.url"), e.getMessage());
        e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(null, Map.of(), List.of("unit.hh-x.service.admin-url=http://a")));
        assertTrue(e.getMessage().contains("hh-x.service"), e.getMessage());
        e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(null, Map.of(), List.of("core.register-url=https://c/r")));
        assertTrue(e.getMessage().contains("core.public-key"), e.getMessage());
    }

    @Test
    void ledgerCommandsGoTogetherAndTakeTheBackupPath() throws Exception {
        AgentConfig d = AgentConfig.load(null, Map.of(), List.of("paths.state-dir=/tmp/agent-state"));
        assertEquals(List.of(), d.ledgerBackupCommand());
        assertEquals(java.nio.file.Path.of("/tmp/agent-state/ledger-backups"), d.ledgerBackupDir());
        assertEquals(Duration.ofMinutes(30), d.ledgerCommandTimeout());
        AgentConfig c = AgentConfig.load(null, Map.of(), List.of("ledger.backup-command=[hh, treasury, backup, --out, \"{file}\"]",
                "ledger.restore-command=[/usr/local/bin/restore-ledger, \"{file}\"]", "ledger.backup-dir=/backup/agent"));
        assertEquals(List.of("hh", "treasury", "backup", "--out", "{file}"), c.ledgerBackupCommand());
        assertEquals(java.nio.file.Path.of("/backup/agent"), c.ledgerBackupDir());
        var e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(null, Map.of(),
                List.of("ledger.backup-command=[hh, treasury, backup, --out, \"{file}\"]")));
        assertTrue(e.getMessage().contains("ledger.backup-command and ledger.restore-command go together"), e.getMessage());
        e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(null, Map.of(),
                List.of("ledger.backup-command=[cp, a, b]", "ledger.restore-command=[cp, \"{file}\", a]")));
        assertTrue(e.getMessage().contains("ledger.backup-command must name a program and pass it {file}"), e.getMessage());
    }
}
