package org.hyperhash.agent;

import org.hyperhash.agent.manifest.KeyFiles.SigningKey;
import org.hyperhash.agent.systemd.FakeSystemctl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The set-up the agent ITs share (extend it): a local HTTPS release server, three signing keys with {@code root.json}
 * (threshold 2) trusting the first two, a base release {@code 0.1.0-base} (health-mode ok) installed as
 * {@code opt/current} under the test's directory, and a fake systemctl. Runs before the subclass's own
 * {@code @BeforeEach}; the server is closed after the subclass's {@code @AfterEach}.
 */
abstract class ReleaseBed {
    /** The server's key store (keytool is two JVM starts: once per test class; classes run one after another). */
    @TempDir
    static Path tlsDir;
    @TempDir
    Path dir;
    ReleaseServer server;
    List<SigningKey> keys;
    FakeSystemctl systemctl;
    Path releases;
    Path current;

    @BeforeEach
    void setUpReleaseBed() throws Exception {
        server = new ReleaseServer(tlsDir);
        keys = Publisher.keys(3);
        Files.writeString(dir.resolve("root.json"), Publisher.root(1, 2, keys, Instant.now().plus(Duration.ofDays(365)),
                keys.subList(0, 2)).toJson());
        releases = dir.resolve("opt/releases");
        current = dir.resolve("opt/current");
        Files.createDirectories(releases.resolve("0.1.0-base"));
        Files.writeString(releases.resolve("0.1.0-base/health-mode"), "ok");
        Files.createSymbolicLink(current, releases.resolve("0.1.0-base"));
        systemctl = new FakeSystemctl();
    }

    @AfterEach
    void closeReleaseServer() {
        server.close();
    }

    /** The agent config assignments pointing at this server, trust root and directories (state in {@code state}). */
    List<String> agentSets() {
        return new ArrayList<>(List.of(
                "manifest.url=" + server.uri("/releases/release.json"),
                "trust.root-file=" + dir.resolve("root.json"),
                "tls.ca-file=" + server.caPem,
                "paths.state-dir=" + dir.resolve("state"),
                "paths.releases-dir=" + releases,
                "paths.current-link=" + current));
    }
}
