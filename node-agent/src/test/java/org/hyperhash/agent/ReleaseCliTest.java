package org.hyperhash.agent;

import org.hyperhash.agent.install.CrashPoints;
import org.hyperhash.agent.systemd.FakeSystemctl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The publisher workflow through the CLI entry point: keygen, root, create, k-of-n sign, verify, rotate. */
class ReleaseCliTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
    private final AgentCli cli = new AgentCli(Map.of(), c -> new FakeSystemctl(),
            InstantSource.fixed(Instant.parse("2030-01-01T00:00:00Z")), CrashPoints.NONE);

    private int run(String... args) {
        outBuf.reset();
        errBuf.reset();
        return cli.execute(args, new PrintStream(outBuf, true, StandardCharsets.UTF_8), new PrintStream(errBuf, true, StandardCharsets.UTF_8));
    }

    private String p(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void publishSignVerifyAndRotate() throws Exception {
        for (String k : new String[] {"k1", "k2", "k3", "n1", "n2"}) {
            assertEquals(0, run("release", "keygen", "--out", p(k)), errBuf.toString());
        }
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("k1.key"))));
        assertEquals(1, run("release", "keygen", "--out", p("k1")), "never overwrites a key");
        assertEquals(0, run("release", "root", "--key", p("k1.pub"), "--key", p("k2.pub"), "--key", p("k3.pub"),
                "--threshold", "2", "--version", "1", "--expires", "365d", "--out", p("root.json")), errBuf.toString());
        assertEquals(0, run("release", "sign", "--key", p("k1.key"), "--in", p("root.json")));
        assertEquals(0, run("release", "sign", "--key", p("k2.key"), "--in", p("root.json")));

        Files.writeString(dir.resolve("hh-cli.jar"), "jar bytes");
        assertEquals(0, run("release", "create", "--version", "7", "--release", "0.2.0", "--expires", "30d",
                "--artifact", "cli/target/hh-cli.jar=" + p("hh-cli.jar"), "--unit", "hh-pool.service",
                "--base-url", "https://core.example/releases/0.2.0", "--out", p("release.json")), errBuf.toString());
        assertEquals(0, run("release", "sign", "--key", p("k3.key"), "--in", p("release.json")));
        assertEquals(AgentCli.REFUSED, run("release", "verify", "--root", p("root.json"), "--in", p("release.json")));
        assertTrue(errBuf.toString().contains("below_threshold"), errBuf.toString());
        assertEquals(0, run("release", "sign", "--key", p("k1.key"), "--in", p("release.json")));
        assertEquals(0, run("release", "verify", "--root", p("root.json"), "--in", p("release.json"), "--artifacts", dir.toString()),
                errBuf.toString());
        assertTrue(outBuf.toString().startsWith("OK: release v7"), outBuf.toString());
        assertEquals(null, org.hyperhash.agent.manifest.Release.of(
                org.hyperhash.agent.manifest.Signed.parse(Files.readAllBytes(dir.resolve("release.json"))), null).ledger());

        // a release that migrates the ledger declares its schema numbers (from its `hh version`)
        assertEquals(0, run("release", "create", "--version", "8", "--release", "0.3.0", "--expires", "30d",
                "--artifact", "cli/target/hh-cli.jar=" + p("hh-cli.jar"), "--ledger-schema", "9", "--ledger-compatible-from", "0",
                "--base-url", "https://core.example/releases/0.3.0", "--out", p("release8.json")), errBuf.toString());
        assertEquals(new org.hyperhash.agent.manifest.Release.Ledger(9, 0), org.hyperhash.agent.manifest.Release.of(
                org.hyperhash.agent.manifest.Signed.parse(Files.readAllBytes(dir.resolve("release8.json"))), null).ledger());
        assertEquals(AgentCli.USAGE, run("release", "create", "--version", "8", "--release", "0.3.0", "--expires", "30d",
                "--artifact", "cli/target/hh-cli.jar=" + p("hh-cli.jar"), "--ledger-schema", "9",
                "--base-url", "https://core.example/releases/0.3.0", "--out", p("release8.json")));
        assertEquals(AgentCli.REFUSED, run("release", "create", "--version", "8", "--release", "0.3.0", "--expires", "30d",
                "--artifact", "cli/target/hh-cli.jar=" + p("hh-cli.jar"), "--ledger-schema", "9", "--ledger-compatible-from", "10",
                "--base-url", "https://core.example/releases/0.3.0", "--out", p("release8.json")));
        assertEquals(AgentCli.REFUSED, run("release", "verify", "--root", p("root.json"), "--in", p("release.json"), "--min-version", "8"));
        assertTrue(errBuf.toString().contains("older_version"), errBuf.toString());

        Files.writeString(dir.resolve("hh-cli.jar"), "jar bytez");
        assertEquals(AgentCli.REFUSED, run("release", "verify", "--root", p("root.json"), "--in", p("release.json"), "--artifacts", dir.toString()));
        assertTrue(errBuf.toString().contains("tampered_artifact"), errBuf.toString());

        // rotation to {n1, n2}: the old threshold and the new one must both sign
        assertEquals(0, run("release", "root", "--key", p("n1.pub"), "--key", p("n2.pub"), "--threshold", "2", "--version", "2",
                "--expires", "365d", "--out", p("root2.json")));
        run("release", "sign", "--key", p("n1.key"), "--in", p("root2.json"));
        run("release", "sign", "--key", p("n2.key"), "--in", p("root2.json"));
        assertEquals(AgentCli.REFUSED, run("release", "verify", "--root", p("root.json"), "--in", p("root2.json")));
        assertTrue(errBuf.toString().contains("rotation_rejected"), errBuf.toString());
        run("release", "sign", "--key", p("k2.key"), "--in", p("root2.json"));
        run("release", "sign", "--key", p("k3.key"), "--in", p("root2.json"));
        assertEquals(0, run("release", "verify", "--root", p("root.json"), "--in", p("root2.json")), errBuf.toString());
    }

    @Test
    void usageErrorsAndHelp() {
        assertEquals(AgentCli.USAGE, run("release", "create", "--version", "x"));
        assertEquals(AgentCli.USAGE, run("release", "frobnicate"));
        assertEquals(AgentCli.USAGE, run("node-agent", "upgrade", "--set", "no.such.key=1"));
        assertTrue(errBuf.toString().contains("no.such.key"), errBuf.toString());
        assertEquals(0, run("release", "--help"));
        assertTrue(outBuf.toString().contains("keygen"));
        assertEquals(0, run("node-agent", "upgrade", "--help"));
        assertTrue(outBuf.toString().contains("poll.interval-seconds"));
        assertTrue(outBuf.toString().contains("http.read-timeout-seconds"));
        // the launcher's contract: both groups and every documented command in the usage text
        assertEquals(0, run("--help"));
        for (String s : List.of("hh release <command>", "keygen --out", "sign   --key", "verify --root", "root   --key",
                "hh node-agent <command> [--config FILE] [--set key=value]", "  run ", "upgrade [--verify-signature]",
                "  status ", "  rollback ", "  register ")) {
            assertTrue(outBuf.toString().contains(s), s + " in\n" + outBuf);
        }
        // -h/--help is declared once and inherited by every command, required options notwithstanding
        for (List<String> cmd : List.of(List.of("release", "keygen"), List.of("release", "root"), List.of("release", "create"),
                List.of("release", "sign"), List.of("release", "verify"))) {
            outBuf.reset();
            assertEquals(0, run(java.util.stream.Stream.concat(cmd.stream(), java.util.stream.Stream.of("-h")).toArray(String[]::new)),
                    cmd.toString());
            assertTrue(outBuf.toString().contains("hh release <command>"), cmd + ": " + outBuf);
        }
        for (String c : List.of("run", "status", "rollback", "register")) {
            outBuf.reset();
            assertEquals(0, run("node-agent", c, "--help"), c);
            assertTrue(outBuf.toString().contains("hh node-agent <command>") && outBuf.toString().contains("poll.interval-seconds"),
                    c + ": " + outBuf);
        }
        assertEquals(0, run("node-agent", "--help"));
        assertEquals(AgentCli.USAGE, run());
        assertTrue(errBuf.toString().contains("release") && errBuf.toString().contains("node-agent"), errBuf.toString());
        assertEquals(AgentCli.USAGE, run("node-agent", "frobnicate", "--set", "manifest.url="));
        assertEquals(AgentCli.USAGE, run("node-agent", "status", "--verify-signature"), "the flag belongs to upgrade");
    }
}
