package org.hyperhash.agent;

import org.hyperhash.agent.manifest.KeyFiles.SigningKey;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The release side the agent ITs share: a local HTTPS release server, three signing keys with {@code root.json}
 * (threshold 2) trusting the first two, and a base release {@code 0.1.0-base} (health-mode ok) installed as
 * {@code opt/current} under the test's directory. The caller closes {@link #server}.
 */
record ReleaseBed(ReleaseServer server, List<SigningKey> keys, Path dir, Path releases, Path current) {

    /** @param tlsDir where the server's key store is made (a static temp dir: keytool runs once per class) */
    static ReleaseBed create(Path tlsDir, Path dir) throws Exception {
        ReleaseServer server = new ReleaseServer(tlsDir);
        List<SigningKey> keys = Publisher.keys(3);
        Files.writeString(dir.resolve("root.json"), Publisher.root(1, 2, keys, Instant.now().plus(Duration.ofDays(365)),
                keys.subList(0, 2)).toJson());
        Path releases = dir.resolve("opt/releases");
        Path current = dir.resolve("opt/current");
        Files.createDirectories(releases.resolve("0.1.0-base"));
        Files.writeString(releases.resolve("0.1.0-base/health-mode"), "ok");
        Files.createSymbolicLink(current, releases.resolve("0.1.0-base"));
        return new ReleaseBed(server, keys, dir, releases, current);
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
