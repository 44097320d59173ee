package org.hyperhash.agent.systemd;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ProcessSystemctl against a shell script standing in for systemctl. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProcessSystemctlTest {
    @TempDir
    Path dir;
    Path script;
    Path calls;

    @BeforeEach
    void setUp() throws IOException {
        calls = dir.resolve("calls.log");
        script = dir.resolve("systemctl");
        Files.writeString(script, """
                #!/bin/sh
                echo "$@" >> '%s'
                case "$2:$3" in
                  restart:ok.service) exit 0 ;;
                  restart:bad.service) echo "Job for bad.service failed."; exit 1 ;;
                  restart:noisy.service) yes "output line" | head -c 200000; exit 0 ;;
                  restart:hang.service) sleep 60 & wait ;;
                  stop:ok.service) exit 0 ;;
                  stop:bad.service) echo "Failed to stop bad.service."; exit 5 ;;
                esac
                case "$3:$5" in
                  --property=TriggeredBy:sock.service) echo "sock.socket other.path"; exit 0 ;;
                  --property=TriggeredBy:plain.service) echo; exit 0 ;;
                  --property=TriggeredBy:odd.service) echo 'x;rm -rf y.socket'; exit 0 ;;
                esac
                case "$4:$5" in
                  --value:ok.service) echo active ;;
                  --value:bad.service) echo failed ;;
                  *) exit 4 ;;
                esac
                """.formatted(calls));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    ProcessSystemctl systemctl(Duration timeout) {
        return new ProcessSystemctl(script.toString(), timeout);
    }

    @Test
    void restartAndActiveState() throws Exception {
        ProcessSystemctl s = systemctl(Duration.ofSeconds(20));
        s.restart("ok.service");
        s.restart("noisy.service");
        IOException e = assertThrows(IOException.class, () -> s.restart("bad.service"));
        assertTrue(e.getMessage().contains("exit 1") && e.getMessage().contains("Job for bad.service failed."), e.getMessage());
        assertEquals("active", s.activeState("ok.service"));
        assertEquals("failed", s.activeState("bad.service"));
        assertEquals("unknown", s.activeState("other.service"), "non-zero exit");
        assertEquals(List.of("--no-ask-password restart ok.service", "--no-ask-password restart noisy.service",
                "--no-ask-password restart bad.service", "--no-ask-password show --property=ActiveState --value ok.service",
                "--no-ask-password show --property=ActiveState --value bad.service",
                "--no-ask-password show --property=ActiveState --value other.service"), Files.readAllLines(calls));
    }

    @Test
    void triggeredByListsTheSocketUnitsAndNothingElse() {
        ProcessSystemctl s = systemctl(Duration.ofSeconds(20));
        assertEquals(List.of("sock.socket", "other.path"), s.triggeredBy("sock.service"));
        assertEquals(List.of(), s.triggeredBy("plain.service"), "not socket activated");
        assertEquals(List.of(), s.triggeredBy("odd.service"), "anything but a unit name is ignored");
        assertEquals(List.of(), s.triggeredBy("other.service"), "non-zero exit");
    }

    @Test
    void stopRunsSystemctlStopAndReportsFailure() throws Exception {
        ProcessSystemctl s = systemctl(Duration.ofSeconds(20));
        s.stop("ok.service");
        IOException e = assertThrows(IOException.class, () -> s.stop("bad.service"));
        assertTrue(e.getMessage().contains("systemctl stop bad.service failed (exit 5)")
                && e.getMessage().contains("Failed to stop bad.service."), e.getMessage());
        assertEquals(List.of("--no-ask-password stop ok.service", "--no-ask-password stop bad.service"), Files.readAllLines(calls));
    }

    @Test
    void hungSystemctlIsKilledAtTheTimeout() {
        // the script's child keeps the output pipe open: the timeout must not depend on reading it
        IOException e = assertThrows(IOException.class, () -> systemctl(Duration.ofMillis(300)).restart("hang.service"));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    }

    @Test
    void missingBinaryIsAnError() {
        ProcessSystemctl s = new ProcessSystemctl(dir.resolve("nope").toString(), Duration.ofSeconds(5));
        assertThrows(IOException.class, () -> s.restart("ok.service"));
        assertEquals("unknown", s.activeState("ok.service"));
    }
}
