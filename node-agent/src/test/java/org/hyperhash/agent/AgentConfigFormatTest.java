package org.hyperhash.agent;

import org.hyperhash.agent.install.CrashPoints;
import org.hyperhash.agent.systemd.FakeSystemctl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's config under hyperhash.node-agent (strict, DaemonConfig) and the old key = value format's translation. */
class AgentConfigFormatTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBuf = new ByteArrayOutputStream();

    private int cli(Map<String, String> env, String... args) {
        outBuf.reset();
        errBuf.reset();
        return new AgentCli(env, c -> new FakeSystemctl(), InstantSource.system(), CrashPoints.NONE)
                .execute(args, new PrintStream(outBuf, true, StandardCharsets.UTF_8), new PrintStream(errBuf, true, StandardCharsets.UTF_8));
    }

    private static final String OLD = """
            # an agent config written before the move to hyperhash.node-agent
            manifest.url = https://core.example/releases/release.json
            poll.interval-seconds = 60
            poll.jitter-seconds = 0
            health.interval-millis = 250
            units = hh-pool.service, hh-tp.service
            unit.hh-pool.service.admin-url = http://127.0.0.1:9090
            download.max-bytes = 1024
            """;

    @Test
    void oldFormatIsReadWithADeprecationWarningPerChange() throws Exception {
        Path f = dir.resolve("node-agent.conf");
        Files.writeString(f, OLD);
        AgentConfig.Loaded l = AgentConfig.loadDetailed(f, Map.of(), List.of());
        AgentConfig c = l.config();
        assertEquals(URI.create("https://core.example/releases/release.json"), c.manifestUrl(), "// in a URL is not a comment");
        assertEquals(Duration.ofSeconds(60), c.pollInterval());
        assertEquals(Duration.ZERO, c.pollJitter());
        assertEquals(Duration.ofMillis(250), c.healthInterval());
        assertEquals(List.of("hh-pool.service", "hh-tp.service"), c.units());
        assertEquals(URI.create("http://127.0.0.1:9090"), c.adminUrls().get("hh-pool.service"));
        assertEquals(1024, c.maxArtifactBytes());
        String w = String.join("\n", l.warnings());
        assertTrue(w.contains("old `key = value` format"), w);
        assertTrue(w.contains("poll.interval-seconds") && w.contains("use poll.interval = 60s"), w);
        assertTrue(w.contains("health.interval-millis") && w.contains("health.interval = 250ms"), w);
        assertTrue(w.contains("unit.hh-pool.service.admin-url") && w.contains("admin-urls.\"hh-pool.service\""), w);
        assertTrue(w.contains("units as a comma-separated string"), w);
        // the effective tree is the new layout
        assertEquals("60s", l.effective().getString("poll.interval"));
    }

    @Test
    void newFormatReadsTheSameWithoutWarnings() throws Exception {
        Path f = dir.resolve("node-agent.conf");
        Files.writeString(f, """
                hyperhash.node-agent {
                  manifest.url = "https://core.example/releases/release.json"
                  poll { interval = 60s, jitter = 0s }
                  health.interval = 250ms
                  units = ["hh-pool.service", "hh-tp.service"]
                  admin-urls { "hh-pool.service" = "http://127.0.0.1:9090" }
                  download.max-bytes = 1K
                }
                """);
        AgentConfig.Loaded l = AgentConfig.loadDetailed(f, Map.of("AGENT_POLL_INTERVAL", "2m", "AGENT_STATUS_LISTEN", "127.0.0.1:0"),
                List.of("hyperhash.node-agent.install.keep=4"));
        assertEquals(List.of(), l.warnings());
        AgentConfig c = l.config();
        assertEquals(Duration.ofMinutes(2), c.pollInterval(), "environment over file");
        assertEquals(4, c.keep());
        assertEquals("127.0.0.1:0", c.statusListen());
        assertEquals(1024, c.maxArtifactBytes());
        assertEquals(URI.create("http://127.0.0.1:9090"), c.adminUrls().get("hh-pool.service"));
        assertEquals(URI.create("https://core.example/releases/release.json"), c.manifestUrl());
    }

    @Test
    void unknownKeysAreRefusedWithASuggestion() throws Exception {
        Path f = dir.resolve("typo.conf");
        Files.writeString(f, "hyperhash.node-agent { poll.intervall = 1h }\n");
        var e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(f, Map.of(), List.of()));
        assertTrue(e.getMessage().contains("hyperhash.node-agent.poll.intervall") && e.getMessage().contains("did you mean 'interval'"),
                e.getMessage());
        // an old-format file with a misspelt key is not taken as the old format, and is refused the same way
        Files.writeString(f, "manifest.url = \"https://core.example/r.json\"\nstatus.lisen = \"127.0.0.1:1\"\n");
        e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(f, Map.of(), List.of()));
        assertTrue(e.getMessage().contains("status.lisen") && e.getMessage().contains("did you mean 'listen'"), e.getMessage());
        e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(null, Map.of("AGENT_HEALTH_DEADLNE", "1s"), List.of()));
        assertTrue(e.getMessage().contains("AGENT_HEALTH_DEADLNE") && e.getMessage().contains("did you mean 'deadline'"), e.getMessage());
        e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(null, Map.of(), List.of("systemctl.timout=5s")));
        assertTrue(e.getMessage().contains("did you mean 'timeout'"), e.getMessage());
        e = assertThrows(AgentConfig.ConfigError.class, () -> AgentConfig.load(null, Map.of(), List.of("poll.interval=soon")));
        assertTrue(e.getMessage().contains("hyperhash.node-agent.poll.interval") && e.getMessage().contains("duration"), e.getMessage());
    }

    @Test
    void cliConfigErrorsExitTwoAndNameTheKey() throws Exception {
        assertEquals(AgentCli.USAGE, cli(Map.of(), "node-agent", "status", "--set", "reach.lnx=127.0.0.1:1"));
        assertTrue(errBuf.toString().contains("hyperhash.node-agent.reach.lnx") && errBuf.toString().contains("did you mean 'lnd'"),
                errBuf.toString());
        assertEquals(AgentCli.USAGE, cli(Map.of("AGENT_INSTALL_KEPE", "3"), "node-agent", "status"));
        assertTrue(errBuf.toString().contains("AGENT_INSTALL_KEPE"), errBuf.toString());
        Path f = dir.resolve("missing.conf");
        assertEquals(AgentCli.USAGE, cli(Map.of(), "node-agent", "run", "--config", f.toString()));
        assertTrue(errBuf.toString().contains("config file not found"), errBuf.toString());
    }

    @Test
    void printConfigShowsTheNewLayoutAndWarnsOnTheOld() throws Exception {
        Path f = dir.resolve("node-agent.conf");
        Files.writeString(f, OLD);
        assertEquals(AgentCli.OK, cli(Map.of(), "node-agent", "status", "--config", f.toString(), "--print-config"));
        String out = outBuf.toString();
        assertTrue(out.contains("node-agent") && out.contains("interval=\"60s\"") || out.contains("interval=60s"), out);
        assertTrue(out.contains("\"hh-pool.service\"=\"http://127.0.0.1:9090\""), out);
        assertFalse(out.contains("interval-seconds"), out);
        assertTrue(errBuf.toString().contains("WARN config") && errBuf.toString().contains("poll.interval-seconds"), errBuf.toString());
    }

    @Test
    void checkConfigNamesTheBusyStatusPortAndTheMissingRoot() throws Exception {
        Path root = dir.resolve("root.json");
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals(AgentCli.FAILED, cli(Map.of(), "node-agent", "run", "--check-config",
                    "--set", "status.listen=127.0.0.1:" + busy.getLocalPort(), "--set", "trust.root-file=" + root,
                    "--set", "paths.state-dir=" + dir.resolve("state")));
            assertTrue(errBuf.toString().contains("hyperhash.node-agent.status.listen"), errBuf.toString());
        }
        assertEquals(AgentCli.FAILED, cli(Map.of(), "node-agent", "run", "--check-config", "--set", "status.listen=127.0.0.1:0",
                "--set", "trust.root-file=" + root, "--set", "paths.state-dir=" + dir.resolve("state")));
        assertTrue(errBuf.toString().contains("trust.root-file"), errBuf.toString());
        Files.writeString(root, "{}");
        assertEquals(AgentCli.OK, cli(Map.of(), "node-agent", "run", "--check-config", "--set", "status.listen=127.0.0.1:0",
                "--set", "trust.root-file=" + root, "--set", "paths.state-dir=" + dir.resolve("state")));
        assertTrue(outBuf.toString().contains("configuration OK"), outBuf.toString());
    }
}
