package org.hyperhash.testkit.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Target;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.sv1.MiningSubmit;
import org.hyperhash.sv1.SubscribeResult;
import org.hyperhash.sv1.Sv1Difficulty;
import org.hyperhash.sv1.Sv1Json;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.sv1.Sv1ParseException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SV1 miner for tests and the demo: replays a {@link FirmwareProfile}'s opening sequence over a
 * blocking socket (a virtual thread reads), tracks extranonce1 / difficulty / version mask / the
 * current job as a real device would, and mines real SHA-256d shares on the CPU at tiny difficulty.
 * Thread-safe for one driving thread plus its reader.
 */
public final class FakeSv1Miner implements AutoCloseable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final FirmwareProfile profile;
    private final Socket socket;
    private final OutputStream out;
    private final Thread reader;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<String, CompletableFuture<Sv1Message.Response>> pending = new ConcurrentHashMap<>();
    /** Server notifications (bounded; overflow counted and dropped). */
    private final BlockingQueue<Sv1Message.Request> notifications = new ArrayBlockingQueue<>(10_000);
    private final AtomicInteger droppedNotifications = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private volatile Bytes extranonce1;
    private volatile int extranonce2Size;
    private volatile double difficulty = 1.0;
    private volatile int versionMask;
    private volatile MiningNotify job;
    private volatile String subscriptionId;
    private volatile String username = "";
    private volatile JsonNode reconnect;
    private long extranonce2Counter;
    private volatile Thread miningThread;
    private volatile long jobReceivedNanos;

    private FakeSv1Miner(FirmwareProfile profile, Socket socket) throws IOException {
        this.profile = profile;
        this.socket = socket;
        this.out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.reader = Thread.ofVirtual().name("fake-sv1-" + profile.name()).start(() -> readLoop(in));
    }

    public static FakeSv1Miner connect(InetSocketAddress address, FirmwareProfile profile) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5000);
        s.setTcpNoDelay(true);
        return new FakeSv1Miner(profile, s);
    }

    private void readLoop(BufferedReader in) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                Sv1Message m;
                try {
                    m = Sv1Json.parse(line);
                } catch (Sv1ParseException e) {
                    continue;
                }
                switch (m) {
                    case Sv1Message.Response r -> {
                        CompletableFuture<Sv1Message.Response> f = pending.remove(r.id().asText());
                        if (f != null) {
                            f.complete(r);
                        }
                    }
                    case Sv1Message.Request r -> onNotification(r);
                }
            }
        } catch (IOException e) {
            // connection closed
        } finally {
            closedFuture.complete(null);
            pending.values().forEach(f -> f.completeExceptionally(new IOException("connection closed")));
        }
    }

    private void onNotification(Sv1Message.Request r) {
        try {
            switch (r.method()) {
                case "mining.set_difficulty" -> difficulty = r.params().get(0).asDouble();
                case "mining.notify" -> {
                    job = MiningNotify.fromParams(r.params());
                    jobReceivedNanos = System.nanoTime();
                }
                case "mining.set_extranonce" -> {
                    extranonce1 = Bytes.fromHex(r.params().get(0).asText());
                    extranonce2Size = r.params().get(1).asInt();
                }
                case "mining.set_version_mask" -> versionMask = (int) Long.parseLong(r.params().get(0).asText(), 16);
                case "client.reconnect" -> reconnect = r.params();
                default -> {
                }
            }
        } catch (Sv1ParseException | RuntimeException e) {
            // a malformed notification is kept in the queue for the test to inspect
        }
        if (!notifications.offer(r)) {
            droppedNotifications.incrementAndGet();
        }
    }

    // ------------------------------------------------------------------ raw calls

    /** Sends a request and returns the future reply. */
    public CompletableFuture<Sv1Message.Response> send(String method, ArrayNode params) throws IOException {
        long n = nextId.getAndIncrement();
        JsonNode id = profile.stringIds() ? JsonNodeFactory.instance.textNode("r" + n) : JsonNodeFactory.instance.numberNode(n);
        CompletableFuture<Sv1Message.Response> f = new CompletableFuture<>();
        pending.put(id.asText(), f);
        sendLine(Sv1Json.write(new Sv1Message.Request(id, method, params)));
        return f;
    }

    /** Sends a request and waits for its reply. */
    public Sv1Message.Response call(String method, ArrayNode params) throws IOException {
        return await(send(method, params));
    }

    /** Writes a raw line (a newline is appended). */
    public synchronized void sendLine(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Registers interest in the reply with this id (for raw lines the test wrote itself). */
    public CompletableFuture<Sv1Message.Response> expectReply(String idText) {
        CompletableFuture<Sv1Message.Response> f = new CompletableFuture<>();
        pending.put(idText, f);
        return f;
    }

    public static Sv1Message.Response await(CompletableFuture<Sv1Message.Response> f) throws IOException {
        try {
            return f.get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("no reply: " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("no reply within " + DEFAULT_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    // ------------------------------------------------------------------ firmware sequence

    /**
     * Runs the profile's opening sequence (configure / subscribe / extranonce.subscribe / authorize /
     * suggest_difficulty) and returns the subscribe result. Every reply must be a success.
     */
    public SubscribeResult handshake(String user) throws IOException {
        return handshake(user, null);
    }

    /** As {@link #handshake(String)}, resuming the given subscription id. */
    public SubscribeResult handshake(String user, String resumeId) throws IOException {
        this.username = user;
        if (profile.configureFirst() && profile.versionRollingMask().isPresent()) {
            configure();
        }
        ArrayNode sp = JsonNodeFactory.instance.arrayNode().add(profile.userAgent());
        if (resumeId != null) {
            sp.add(resumeId);
        }
        CompletableFuture<Sv1Message.Response> sub = send("mining.subscribe", sp);
        CompletableFuture<Sv1Message.Response> auth = null;
        if (profile.pipelined()) {
            auth = send("mining.authorize", JsonNodeFactory.instance.arrayNode().add(user).add("x"));
        }
        Sv1Message.Response sr = ok(await(sub), "mining.subscribe");
        SubscribeResult result;
        try {
            result = SubscribeResult.fromJson(sr.result());
        } catch (Sv1ParseException e) {
            throw new IOException(e.getMessage(), e);
        }
        extranonce1 = result.extranonce1();
        extranonce2Size = result.extranonce2Size();
        subscriptionId = result.notifySubscriptionId();
        if (!profile.configureFirst() && profile.versionRollingMask().isPresent()) {
            configure();
        }
        if (profile.extranonceSubscribe()) {
            ok(call("mining.extranonce.subscribe", JsonNodeFactory.instance.arrayNode()), "mining.extranonce.subscribe");
        }
        if (auth == null) {
            auth = send("mining.authorize", JsonNodeFactory.instance.arrayNode().add(user).add("x"));
        }
        Sv1Message.Response ar = ok(await(auth), "mining.authorize");
        if (!ar.result().asBoolean()) {
            throw new IOException("authorize returned false");
        }
        if (profile.suggestDifficulty().isPresent()) {
            ok(call("mining.suggest_difficulty", JsonNodeFactory.instance.arrayNode().add(profile.suggestDifficulty().getAsDouble())),
                    "mining.suggest_difficulty");
        }
        return result;
    }

    private void configure() throws IOException {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("version-rolling.mask", String.format("%08x", profile.versionRollingMask().getAsInt()));
        o.put("version-rolling.min-bit-count", profile.minBitCount());
        ArrayNode p = JsonNodeFactory.instance.arrayNode();
        p.addArray().add("version-rolling");
        p.add(o);
        Sv1Message.Response r = ok(call("mining.configure", p), "mining.configure");
        if (r.result().path("version-rolling").asBoolean(false)) {
            versionMask = (int) Long.parseLong(r.result().path("version-rolling.mask").asText("0"), 16);
        }
    }

    private static Sv1Message.Response ok(Sv1Message.Response r, String what) throws IOException {
        if (r.isError()) {
            throw new IOException(what + " failed: " + r.error());
        }
        return r;
    }

    // ------------------------------------------------------------------ mining

    /** Waits until a job has been received. */
    public MiningNotify awaitJob(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (job == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return job;
    }

    /** Waits for a notification with this method (consuming notifications before it). */
    public Optional<Sv1Message.Request> awaitNotification(String method, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Sv1Message.Request r = notifications.poll(left, TimeUnit.NANOSECONDS);
            if (r != null && r.method().equals(method)) {
                return Optional.of(r);
            }
        }
    }

    /**
     * Mines one share on the current job at the current difficulty (rolling extranonce2 and, when
     * negotiated, version bits inside the mask) and submits it; returns the reply.
     */
    public Sv1Message.Response mineAndSubmit(long maxHashes) throws IOException {
        MiningNotify j = job;
        if (j == null) {
            throw new IOException("no job yet");
        }
        Target target = Sv1Difficulty.toTarget(difficulty);
        for (int attempt = 0; attempt < 64; attempt++) {
            Bytes en2 = nextExtranonce2();
            int bits = versionMask == 0 ? 0 : (Integer.lowestOneBit(versionMask) << (attempt & 3)) & versionMask;
            Optional<Sv1CpuMiner.Found> f = Sv1CpuMiner.search(j, extranonce1, en2, target, bits, versionMask, 0, maxHashes);
            if (f.isPresent()) {
                return submit(j.jobId(), f.get(), versionMask != 0);
            }
        }
        throw new IOException("no share found at difficulty " + difficulty);
    }

    /** Submits a found share for a job id. */
    public Sv1Message.Response submit(String jobId, Sv1CpuMiner.Found f, boolean withVersionBits) throws IOException {
        MiningSubmit s = new MiningSubmit(username, jobId, f.extranonce2(), f.ntime(), f.nonce(),
                withVersionBits ? OptionalInt.of(f.versionBits()) : OptionalInt.empty());
        Sv1Message.Response r = call(MiningSubmit.METHOD, s.toParams());
        if (!r.isError() && r.result().asBoolean()) {
            accepted.incrementAndGet();
        } else {
            rejected.incrementAndGet();
        }
        return r;
    }

    private synchronized Bytes nextExtranonce2() {
        long c = extranonce2Counter++;
        byte[] b = new byte[extranonce2Size];
        for (int i = 0; i < b.length && i < 8; i++) {
            b[i] = (byte) (c >>> (8 * i));
        }
        return Bytes.wrap(b);
    }

    /**
     * Mines continuously on a virtual thread (the demo's built-in SV1 CPU miner): each round searches
     * {@code hashesPerSlice} nonces per extranonce2 on the current job and submits what it finds;
     * rejects (stale after a new block) are counted, not fatal. Stops on {@link #stopMining()} or close.
     */
    public synchronized FakeSv1Miner startMining(long hashesPerSlice) {
        return startMining(hashesPerSlice, 0);
    }

    /**
     * As {@link #startMining(long)}, throttled to about {@code hashrateHps} on average (0 = as fast as the CPU
     * goes): a share at difficulty d costs d * 2^32 hashes on average, so after each share the thread sleeps
     * for what is left of that share's time at the given rate (and after a fruitless round, of its 64 slices).
     */
    public synchronized FakeSv1Miner startMining(long hashesPerSlice, double hashrateHps) {
        if (miningThread != null) {
            return this;
        }
        double nanosPerHash = hashrateHps > 0 ? 1e9 / hashrateHps : 0;
        miningThread = Thread.ofVirtual().name("fake-sv1-cpu-" + profile.name()).start(() -> {
            while (!Thread.currentThread().isInterrupted() && !socket.isClosed()) {
                try {
                    if (job == null) {
                        Thread.sleep(50);
                        continue;
                    }
                    long t0 = System.nanoTime();
                    double hashes = difficulty * 4294967296.0;
                    try {
                        mineAndSubmit(hashesPerSlice);
                    } catch (IOException e) {
                        if (socket.isClosed() || closedFuture.isDone()) {
                            return;
                        }
                        hashes = 64.0 * hashesPerSlice; // no share in this round
                    }
                    long left = (long) (hashes * nanosPerHash) - (System.nanoTime() - t0);
                    if (left > 0) {
                        Thread.sleep(Math.min(left / 1_000_000, 10_000));
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return this;
    }

    public synchronized void stopMining() {
        Thread t = miningThread;
        miningThread = null;
        if (t != null) {
            t.interrupt();
        }
    }

    // ------------------------------------------------------------------ state

    public FirmwareProfile profile() {
        return profile;
    }

    public Bytes extranonce1() {
        return extranonce1;
    }

    public int extranonce2Size() {
        return extranonce2Size;
    }

    public double difficulty() {
        return difficulty;
    }

    public int versionMask() {
        return versionMask;
    }

    public MiningNotify currentJob() {
        return job;
    }

    /** {@link System#nanoTime()} when the current job arrived (for fan-out latency probes). */
    public long jobReceivedNanos() {
        return jobReceivedNanos;
    }

    public String subscriptionId() {
        return subscriptionId;
    }

    public int acceptedShares() {
        return accepted.get();
    }

    public int rejectedShares() {
        return rejected.get();
    }

    /** Params of the last client.reconnect received, or null. */
    public JsonNode reconnectParams() {
        return reconnect;
    }

    /** All notifications received and not yet consumed by {@link #awaitNotification}. */
    public List<Sv1Message.Request> drainNotifications() {
        List<Sv1Message.Request> l = new ArrayList<>();
        notifications.drainTo(l);
        return l;
    }

    /** True once the server closed the connection (waits up to timeout). */
    public boolean awaitClosed(Duration timeout) {
        try {
            closedFuture.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        stopMining();
        try {
            socket.close();
        } catch (IOException e) {
            // ignore
        }
        reader.interrupt();
    }
}
