package org.hyperhash.sv2.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JitActivityTest {
    @Test
    void statTicksAreUtimePlusStimeEvenWithSpacesAndParenthesesInTheName() {
        // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (C2 CompilerThre) S 1 4242 4242 0 -1 4194624 10 0 0 0 137 12 0 0 20 0 30 0 100 0 0";
        assertEquals(149, JitActivity.statTicks(stat));
        assertEquals(7, JitActivity.statTicks("7 (a) b) c) R 1 1 1 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 0 0"));
    }

    @Test
    void readsTheCompilerThreadsOnLinux() {
        if (!Files.isDirectory(Path.of("/proc/self/task"))) {
            return; // elsewhere the compilation MXBean stands in
        }
        assertTrue(JitActivity.compilerThreadsCpuMillis() >= 0);
        assertEquals("proc", new JitActivity().source());
    }

    @Test
    void theWarmupGoesOnPastItsSessionsOnlyWhileAskedAndStillStopsAtItsBounds() throws Exception {
        AtomicInteger started = new AtomicInteger();
        LoopbackWarmup.Starter starter = (n, outcome) -> {
            started.incrementAndGet();
            outcome.done(true);
        };
        LoopbackWarmup.Result plain = LoopbackWarmup.run(10, false, Duration.ofSeconds(5), 4, () -> false, () -> false, starter);
        assertEquals(10, plain.sessions());
        assertEquals("sessions done", plain.stop());
        // miners arriving end it at once, JIT idle or not
        started.set(0);
        LoopbackWarmup.Result arrived = LoopbackWarmup.run(10, true, Duration.ofSeconds(5), 4, () -> false,
                () -> started.get() >= 3, starter);
        assertEquals("miners waiting", arrived.stop());
        assertTrue(arrived.sessions() <= 4, arrived.toString());
        // with until-jit-idle it runs at least its sessions, and ends (JIT idle or the time limit)
        LoopbackWarmup.Result untilIdle = LoopbackWarmup.run(10, true, Duration.ofSeconds(2), 4, () -> false, () -> false,
                starter);
        assertTrue(untilIdle.sessions() >= 10, untilIdle.toString());
        assertTrue(untilIdle.stop().equals("sessions done, JIT idle") || untilIdle.stop().equals("time limit"),
                untilIdle.toString());
    }
}
