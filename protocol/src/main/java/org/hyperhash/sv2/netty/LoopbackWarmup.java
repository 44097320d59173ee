package org.hyperhash.sv2.netty;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The session loop of a daemon's start-up warm-up (issue 19, cold storms): runs up to {@code sessions} loopback
 * sessions, {@code concurrency} at a time, and stops at the first of: all done, {@code maxTime} of wall clock, the
 * daemon closing, miners arriving (the real port started accepting: a miner waited in its backlog, see
 * {@link AcceptGate}), or the sessions failing (more than 100 failures and more failures than successes); optionally
 * it goes on past {@code sessions} until the JIT is idle ({@link JitActivity}). What a
 * session is (the protocol) is the caller's {@link Starter}. Sessions in flight when it stops are left to finish
 * (bounded by the deadline plus a second) unless miners arrived.
 */
public final class LoopbackWarmup {
    /** What a warm-up did: sessions that got their first job, failures, wall clock and process CPU spent, why it stopped. */
    public record Result(int sessions, int failed, long wallMillis, long cpuMillis, String stop) {
    }

    /** One session's outcome; {@link #done} counts only its first call. */
    public static final class Outcome {
        private final AtomicBoolean finished = new AtomicBoolean();
        private final Semaphore slots;
        private final AtomicInteger ok;
        private final AtomicInteger failed;

        private Outcome(Semaphore slots, AtomicInteger ok, AtomicInteger failed) {
            this.slots = slots;
            this.ok = ok;
            this.failed = failed;
        }

        public void done(boolean success) {
            if (finished.compareAndSet(false, true)) {
                (success ? ok : failed).incrementAndGet();
                slots.release();
            }
        }
    }

    /** Starts session number {@code n} (returns at once); it must end with {@code outcome.done(..)}. */
    @FunctionalInterface
    public interface Starter {
        void start(int n, Outcome outcome);
    }

    private LoopbackWarmup() {
    }

    public static Result run(int sessions, Duration maxTime, int concurrency, BooleanSupplier stop,
            BooleanSupplier minersArrived, Starter starter) throws InterruptedException {
        return run(sessions, false, maxTime, concurrency, stop, minersArrived, starter);
    }

    /**
     * @param untilJitIdle after the {@code sessions}, go on with more until the JIT compilers are idle
     *     ({@link JitActivity}), still bounded by {@code maxTime}, the daemon closing and miners arriving: C2 catches
     *     up with the code the sessions run while they still run it (when they stop first, the methods C2 had not
     *     reached yet stay C1 code until the first storm makes them hot again and C2 compiles them during it)
     */
    public static Result run(int sessions, boolean untilJitIdle, Duration maxTime, int concurrency, BooleanSupplier stop,
            BooleanSupplier minersArrived, Starter starter) throws InterruptedException {
        long t0 = System.nanoTime();
        JitActivity jit = untilJitIdle ? new JitActivity() : null;
        long cpu0 = processCpuNanos();
        long deadline = t0 + maxTime.toNanos();
        Semaphore slots = new Semaphore(concurrency);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        String why = "sessions done";
        for (int i = 0; i < sessions || (jit != null && !jit.idle()); i++) {
            String blocked = null;
            while (blocked == null && !slots.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                blocked = blocked(deadline, stop, minersArrived);
            }
            if (blocked == null) {
                blocked = blocked(deadline, stop, minersArrived);
                if (blocked == null && failed.get() > 100 && failed.get() > ok.get()) {
                    blocked = "sessions failing";
                }
                if (blocked != null) {
                    slots.release();
                }
            }
            if (blocked != null) {
                why = blocked;
                break;
            }
            starter.start(i, new Outcome(slots, ok, failed));
        }
        if (jit != null && why.equals("sessions done")) {
            why = "sessions done, JIT idle";
        }
        long end = deadline + 1_000_000_000L;
        while (!slots.tryAcquire(concurrency, 10, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() > end || stop.getAsBoolean() || minersArrived.getAsBoolean()) {
                break;
            }
        }
        return new Result(ok.get(), failed.get(), (System.nanoTime() - t0) / 1_000_000,
                (processCpuNanos() - cpu0) / 1_000_000, why);
    }

    private static String blocked(long deadline, BooleanSupplier stop, BooleanSupplier minersArrived) {
        return stop.getAsBoolean() ? "daemon closing" : minersArrived.getAsBoolean() ? "miners waiting"
                : System.nanoTime() > deadline ? "time limit" : null;
    }

    /** CPU time of this process so far (0 where the JVM does not say). */
    public static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }
}
