package org.hyperhash.sv2.netty;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A server's read-idle timeout (the pool's mining port, the translator's SV1 port): one periodic sweep per event loop
 * over that loop's connections, instead of an {@code IdleStateHandler} per connection. The handler cost ~420 bytes
 * of heap per idle connection (its pipeline context, the handler, and a {@code ScheduledFutureTask} with its task
 * re-created after every period); a member here costs its two fields ({@link Member#lastReadNanos},
 * {@link Member#idleSlot}) and one array slot. In protocol so that both servers share this one class.
 *
 * <p>Semantics as the handler's reader-idle check: a connection whose last read completed {@code timeout} ago or
 * earlier is closed (through {@link Member#idleTimeout()}). The check runs every {@code period}, so a connection is
 * closed between {@code timeout} and {@code timeout + period} after its last read ({@link #periodFor}: at most 1 s,
 * a small fraction of the configured minutes). Everything per loop is confined to that loop's thread: members are
 * added and removed from their own event loop (channelActive / channelInactive), and the sweep runs there.
 */
public final class IdleSweeper {
    /** A connection watched for read-idleness; every method is called on its event loop. */
    public interface Member {
        /** {@code System.nanoTime()}-based time of the last completed read (set at registration too). */
        long lastReadNanos();

        /** Index in the loop's member array, -1 when not registered. */
        int idleSlot();

        void idleSlot(int slot);

        /** Called once when the timeout has passed: count the close and close. */
        void idleTimeout();
    }

    /** The members of one event loop (loop-confined). */
    static final class Loop {
        private Member[] members = new Member[16];
        private int size;

        void add(Member m) {
            if (size == members.length) {
                members = Arrays.copyOf(members, size * 2);
            }
            members[size] = m;
            m.idleSlot(size++);
        }

        void remove(Member m) {
            int i = m.idleSlot();
            if (i < 0 || i >= size || members[i] != m) {
                return;
            }
            Member last = members[--size];
            members[i] = last;
            last.idleSlot(i);
            members[size] = null;
            m.idleSlot(-1);
            if (members.length > 64 && size < members.length / 4) {
                members = Arrays.copyOf(members, members.length / 2); // after a storm of closes: give the array back
            }
        }

        int size() {
            return size;
        }

        /**
         * Times out every member idle for {@code timeoutNanos} at {@code nowNanos}; returns how many. Walks from the
         * end, so a member that removes itself while being timed out (its last member moves into its slot, already
         * visited) does not make the sweep skip anyone.
         */
        int sweep(long nowNanos, long timeoutNanos) {
            int closed = 0;
            for (int i = size - 1; i >= 0; i--) {
                if (i >= size) {
                    continue; // shrunk by more than one removal meanwhile
                }
                Member m = members[i];
                if (nowNanos - m.lastReadNanos() >= timeoutNanos) {
                    remove(m); // at most one timeout per member, whatever its close does next
                    m.idleTimeout();
                    closed++;
                }
            }
            return closed;
        }
    }

    private final long timeoutNanos;
    private final long periodNanos;
    private final LongSupplier nanoClock;
    private final Map<EventExecutor, Loop> loops = new ConcurrentHashMap<>();

    public IdleSweeper(Duration timeout) {
        this(timeout, periodFor(timeout), System::nanoTime);
    }

    IdleSweeper(Duration timeout, Duration period, LongSupplier nanoClock) {
        this.timeoutNanos = timeout.toNanos();
        this.periodNanos = Math.max(1, period.toNanos());
        this.nanoClock = nanoClock;
    }

    /** An eighth of the timeout, between 1 ms and 1 s. */
    static Duration periodFor(Duration timeout) {
        return Duration.ofNanos(Math.clamp(timeout.toNanos() / 8, 1_000_000L, 1_000_000_000L));
    }

    public long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** Watches {@code m} on {@code loop} (call on that loop); the loop's sweep task starts with its first member. */
    public void add(EventExecutor loop, Member m) {
        Loop l = loops.get(loop);
        if (l == null) {
            l = new Loop();
            loops.put(loop, l);
            Loop fixed = l;
            try {
                // runs for the life of the loop (stopped by its shutdown); an empty sweep costs nothing worth a restart
                loop.scheduleAtFixedRate(() -> fixed.sweep(nanoClock.getAsLong(), timeoutNanos), periodNanos,
                        periodNanos, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                loops.remove(loop); // the loop is shutting down: its connections are being closed anyway
                return;
            }
        }
        l.add(m);
    }

    /** Stops watching {@code m} (call on its loop); harmless when it is not watched. */
    public void remove(EventExecutor loop, Member m) {
        Loop l = loops.get(loop);
        if (l != null) {
            l.remove(m);
        }
    }

    /** Members watched on {@code loop} (tests). */
    int watched(EventExecutor loop) {
        Loop l = loops.get(loop);
        return l == null ? 0 : l.size();
    }
}
