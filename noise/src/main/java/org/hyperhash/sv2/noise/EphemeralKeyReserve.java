package org.hyperhash.sv2.noise;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A bounded reserve of a Noise responder's ephemeral key pairs (secret and ElligatorSwift encoding), made ahead of
 * time by one background thread while the server is quiet, so that a reconnect storm finds the reply-independent part
 * of act 2 (one {@code ellswift_create}, about 35 us of the responder's ~115 us of secp256k1 work per handshake)
 * already done. The bytes on the wire are unchanged: a pair from the reserve is made exactly as
 * {@link NoiseResponder} makes one inline (a fresh uniformly random secret, a fresh random encoding) and used once.
 *
 * <p><b>Policy.</b> {@link #take()} hands out the oldest pair and wipes its slot; an empty reserve returns null and the
 * responder computes the pair inline (a miss: the same work as without a reserve). The refill thread makes pairs only
 * while the handshake rate is low: it looks at the number of {@link #take()} calls every {@code checkInterval} and
 * fills only after {@code quietIntervals} intervals in a row with at most {@code quietTakes} each, in chunks of
 * {@value #CHUNK} pairs (about 1 ms), and stops as soon as a chunk saw more than {@code quietTakes} takes. A storm
 * therefore gets the thread's CPU back within about one chunk, and an empty reserve is not refilled until the storm is
 * over. Pairs older than
 * {@code maxAge} are wiped and not handed out (see below).
 *
 * <p><b>Forward secrecy.</b> Noise NX protects past sessions against a later compromise of the static key because
 * the ephemeral secrets are wiped after their handshake; that is unchanged: a pair is wiped from the reserve when it
 * is taken and by the responder when act 2 is written, so no secret of a past handshake stays in memory. What the
 * reserve adds is secrets of <i>future</i> handshakes held in process memory before use. An attacker who can read the
 * pool's memory once already has the static key (and can from then on impersonate the pool to every miner, an
 * active attack) and the transport keys of every open connection; the reserve adds the ability to decrypt the next
 * handshakes that use the reserved pairs <i>passively</i>, from a recording of the traffic, without being on the
 * path. That exposure is bounded in number ({@code capacity}) and in time ({@code maxAge}: a snapshot at time T
 * exposes no handshake after T + maxAge), and it needs the same access to process memory as the static key, which
 * lives there for the process's whole life. It does not widen who can attack (no new file, no new interface, no
 * secret in logs or metrics: they carry counts only). An operator who wants none of it sets the capacity to 0.
 *
 * <p>Thread-safe: any thread may call {@link #take()}; the slots are guarded by this object's monitor (a copy of 96
 * bytes per call). Secrets are stored in one flat array so that wiping is one {@code Arrays.fill}.
 */
public final class EphemeralKeyReserve implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EphemeralKeyReserve.class);
    /** Pairs made between two looks at the handshake rate (~1 ms of work). */
    static final int CHUNK = 32;

    /**
     * Default: fill after 5 intervals of 100 ms in a row with at most 10 handshakes each (under 100 per second for
     * half a second; the tail of a storm, when the last handshakes trickle in while the event loops still answer
     * SetupConnection and OpenMiningChannel for the miners before them, is not quiet yet).
     */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofMillis(100);
    public static final int DEFAULT_QUIET_TAKES = 10;
    public static final int DEFAULT_QUIET_INTERVALS = 5;

    /** A key pair taken from the reserve; the caller owns (and must wipe) the secret. */
    public record Pair(byte[] secret, byte[] ellswift) {
    }

    private final Secp256k1Provider crypto;
    private final int capacity;
    private final long maxAgeNanos;
    private final long checkIntervalNanos;
    private final int quietTakes;
    private final int quietIntervals;
    private final LongSupplier nanoClock;

    // ring of capacity slots, oldest at head; guarded by this
    private final byte[] secrets;
    private final byte[] encodings;
    private final long[] madeAt;
    private int head;
    private int size;

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder made = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Thread refiller;
    // the refill thread's view (only it, or a test without it, calls tick())
    private long seenTakes;
    private int quietRun;

    /**
     * @param capacity at most this many pairs are held (0 = no reserve: every take is a miss and nothing is made)
     * @param maxAge   a pair is wiped unused this long after it was made
     */
    public EphemeralKeyReserve(Secp256k1Provider crypto, int capacity, Duration maxAge) {
        this(crypto, capacity, maxAge, DEFAULT_CHECK_INTERVAL, DEFAULT_QUIET_TAKES, DEFAULT_QUIET_INTERVALS,
                System::nanoTime);
    }

    EphemeralKeyReserve(Secp256k1Provider crypto, int capacity, Duration maxAge, Duration checkInterval,
                        int quietTakes, int quietIntervals, LongSupplier nanoClock) {
        this.crypto = Objects.requireNonNull(crypto, "crypto");
        if (capacity < 0 || capacity > 1_000_000) {
            throw new IllegalArgumentException("capacity must be 0..1000000, got " + capacity);
        }
        if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive");
        }
        if (checkInterval == null || checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("checkInterval must be positive");
        }
        if (quietTakes < 0 || quietIntervals < 1) {
            throw new IllegalArgumentException("quietTakes must be >= 0 and quietIntervals >= 1");
        }
        this.quietIntervals = quietIntervals;
        this.capacity = capacity;
        this.maxAgeNanos = maxAge.toNanos();
        this.checkIntervalNanos = checkInterval.toNanos();
        this.quietTakes = quietTakes;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.secrets = new byte[capacity * 32];
        this.encodings = new byte[capacity * 64];
        this.madeAt = new long[capacity];
    }

    /** Starts the refill thread (once; a no-op for capacity 0 or after {@link #close}). */
    public void start() {
        if (capacity == 0 || closed || !started.compareAndSet(false, true)) {
            return;
        }
        Thread t = Thread.ofPlatform().daemon().name("noise-key-reserve").unstarted(this::refillLoop);
        t.setPriority(Thread.MIN_PRIORITY);
        refiller = t;
        t.start();
    }

    /**
     * The oldest unexpired pair, its slot wiped; null when the reserve is empty (the caller makes the pair inline).
     * Counts a hit or a miss.
     */
    public Pair take() {
        if (capacity > 0) {
            long now = nanoClock.getAsLong();
            synchronized (this) {
                dropExpiredLocked(now);
                if (size > 0) {
                    int i = head;
                    byte[] s = Arrays.copyOfRange(secrets, i * 32, i * 32 + 32);
                    byte[] e = Arrays.copyOfRange(encodings, i * 64, i * 64 + 64);
                    Arrays.fill(secrets, i * 32, i * 32 + 32, (byte) 0);
                    head = (head + 1) % capacity;
                    size--;
                    hits.increment();
                    return new Pair(s, e);
                }
            }
        }
        misses.increment();
        return null;
    }

    /** Makes up to {@code n} pairs now on the calling thread (tests, and start-up when asked). Returns how many. */
    public int fill(int n) {
        int done = 0;
        while (done < n && !closed) {
            synchronized (this) {
                if (size >= capacity) {
                    break;
                }
            }
            byte[] s = Secp256k1Keys.randomSecretKey(Hashes.rng());
            byte[] e = crypto.ellswiftCreate(s, null);
            boolean stored;
            synchronized (this) {
                stored = !closed && size < capacity;
                if (stored) {
                    appendLocked(s, e);
                }
            }
            Secp256k1Keys.wipe(s);
            if (!stored) {
                break;
            }
            made.increment();
            done++;
        }
        return done;
    }

    /** Test hook: appends this pair (copied) as if the refill thread had made it now. */
    synchronized void addForTest(byte[] secret, byte[] ellswift) {
        if (size >= capacity) {
            throw new IllegalStateException("full");
        }
        appendLocked(secret, ellswift);
    }

    /** Copies a pair into the slot after the newest, stamped now; the caller holds the monitor and checked for room. */
    private void appendLocked(byte[] secret, byte[] ellswift) {
        int i = (head + size) % capacity;
        System.arraycopy(secret, 0, secrets, i * 32, 32);
        System.arraycopy(ellswift, 0, encodings, i * 64, 64);
        madeAt[i] = nanoClock.getAsLong();
        size++;
    }

    /** Test hook: how many of the capacity secret slots hold a non-zero byte (every other slot is wiped). */
    synchronized int nonZeroSecretSlotsForTest() {
        int n = 0;
        for (int i = 0; i < capacity; i++) {
            for (int b = 0; b < 32; b++) {
                if (secrets[i * 32 + b] != 0) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /** Test hook: whether the refill thread is running. */
    boolean refillerAliveForTest() {
        Thread t = refiller;
        return t != null && t.isAlive();
    }

    private void dropExpiredLocked(long now) {
        while (size > 0 && now - madeAt[head] > maxAgeNanos) {
            Arrays.fill(secrets, head * 32, head * 32 + 32, (byte) 0);
            head = (head + 1) % capacity;
            size--;
            expired.increment();
        }
    }

    private long takes() {
        return hits.sum() + misses.sum();
    }

    private void refillLoop() {
        seenTakes = takes();
        while (!closed) {
            LockSupport.parkNanos(checkIntervalNanos);
            try {
                tick();
            } catch (RuntimeException e) {
                // not expected (the provider throws only for invalid local input); handshakes make their keys inline
                // meanwhile. The provider's messages never hold key material.
                LOG.warn("noise key reserve: making a key pair failed ({}); retrying in a second", e.toString());
                quietRun = 0;
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
    }

    /**
     * One check interval of the refill thread (package-private so the policy can be tested without timing): counts the
     * interval as quiet or not, wipes expired pairs, and after {@code quietIntervals} quiet intervals in a row fills in
     * chunks until the reserve is full or a chunk saw more than {@code quietTakes} handshakes (then it waits for a
     * quiet run again). Returns the pairs made.
     */
    int tick() {
        long now = takes();
        quietRun = now - seenTakes <= quietTakes ? quietRun + 1 : 0;
        seenTakes = now;
        synchronized (this) {
            dropExpiredLocked(nanoClock.getAsLong());
        }
        int n = 0;
        while (quietRun >= quietIntervals && !closed) {
            int m = fill(CHUNK);
            n += m;
            long t = takes();
            if (t - seenTakes > quietTakes) {
                quietRun = 0;
            }
            seenTakes = t;
            if (m < CHUNK) {
                break;
            }
        }
        return n;
    }

    public int capacity() {
        return capacity;
    }

    /** Pairs ready now. */
    public synchronized int size() {
        return size;
    }

    /** Takes answered from the reserve. */
    public long hits() {
        return hits.sum();
    }

    /** Takes that found the reserve empty (the pair was made inline). */
    public long misses() {
        return misses.sum();
    }

    /** Pairs made for the reserve. */
    public long made() {
        return made.sum();
    }

    /** Pairs wiped unused because they reached the maximum age. */
    public long expired() {
        return expired.sum();
    }

    /** Stops the refill thread and wipes every held secret. */
    @Override
    public void close() {
        closed = true;
        Thread t = refiller;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            Arrays.fill(secrets, (byte) 0);
            size = 0;
        }
    }

    @Override
    public String toString() {
        return "EphemeralKeyReserve[capacity=" + capacity + ", size=" + size() + ", hits=" + hits() + ", misses="
                + misses() + "]";
    }
}
