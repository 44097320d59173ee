package org.hyperhash.agent.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ChildProcess against sh: exit code, merged and capped output, the deadline killing the child's descendants. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChildProcessTest {
    @TempDir
    Path dir;

    @Test
    void exitCodeAndStdoutWithStderr() throws Exception {
        ChildProcess.Result r = ChildProcess.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
                Duration.ofSeconds(20), "test-output");
        assertEquals(3, r.exit());
        assertEquals("out\nerr\n", r.output());
    }

    @Test
    void outputIsCappedWhileTheChildRunsToItsEnd() throws Exception {
        ChildProcess.Result r = ChildProcess.run(List.of("sh", "-c", "yes line | head -c 500000; exit 0"),
                Duration.ofSeconds(20), "test-output");
        assertEquals(0, r.exit(), "the child was never blocked on a full pipe");
        assertEquals(ChildProcess.MAX_OUTPUT, r.output().length());
        assertTrue(r.output().startsWith("line\nline\n"), r.output().substring(0, 20));
    }

    @Test
    void aChildPastTheDeadlineIsKilledWithItsDescendants() throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        ChildProcess.TimedOutException e = assertThrows(ChildProcess.TimedOutException.class, () -> ChildProcess.run(
                List.of("sh", "-c", "sleep 60 & echo $! > '" + pidFile + "'; wait"), Duration.ofSeconds(2), "test-output"));
        assertTrue(e.getMessage().contains("timed out after 2000 ms"), e.getMessage());
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        Optional<ProcessHandle> grandchild = ProcessHandle.of(pid);
        if (grandchild.isPresent()) {
            grandchild.get().onExit().get(20, TimeUnit.SECONDS);
            assertFalse(grandchild.get().isAlive(), "the child's own child was killed too");
        }
    }
}
