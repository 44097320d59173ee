package org.hyperhash.translator.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.sv1.ExtranonceLayout;
import org.hyperhash.sv1.MiningConfigure;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.sv1.MiningSubmit;
import org.hyperhash.sv1.SubscribeResult;
import org.hyperhash.sv1.Sv1Error;
import org.hyperhash.sv1.Sv1Json;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.sv1.Sv1ParseException;
import org.hyperhash.sv1.Sv1Sv2;
import org.hyperhash.sv1.VersionRolling;
import org.hyperhash.sv2.channel.ExtendedChannelClient;
import org.hyperhash.sv2.channel.RejectReason;
import org.hyperhash.sv2.channel.ShareResult;
import org.hyperhash.sv2.channel.Vardiff;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.Reconnect;
import org.hyperhash.sv2.message.mining.CloseChannel;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
import org.hyperhash.sv2.message.mining.SetExtranoncePrefix;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.message.mining.SetGroupChannel;
import org.hyperhash.sv2.message.Tlv;
import org.hyperhash.sv2.framing.TlvCodec;
import org.hyperhash.sv2.message.extensions.ExtensionNegotiation;
import org.hyperhash.sv2.message.extensions.RequestExtensions;
import org.hyperhash.sv2.message.extensions.RequestExtensionsError;
import org.hyperhash.sv2.message.extensions.RequestExtensionsSuccess;
import org.hyperhash.sv2.message.mining.UpdateChannel;
import org.hyperhash.translator.TranslatorMetrics;
import org.hyperhash.translator.TranslatorMetrics.ShareReject;
import org.hyperhash.translator.TranslatorMetrics.Sv1Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The translator's core, sans-I/O: SV1 sessions on one side, SV2 extended channel(s) on
 * the other: one aggregated channel or one per miner (sv2-protocol.md 8.4). Every method must be
 * called on the single bridge thread.
 *
 * <p>Departure from architecture.md (per-connection state on each connection's loop): the SV1
 * sessions share the upstream channel, its job table and the extranonce space, so one owner thread for all of it is
 * simpler and lock-free; the Netty shells only parse lines and bound the work they post here. The exception is a
 * miner's share path (issue 19): shares are judged on the miner's own loop against this thread's state read under a
 * sequence lock ({@link #submitOffBridge}), and a miner's duplicate set and vardiff are owned by that loop
 * ({@link Home}); what a credited share sends upstream comes back here ({@link #forward}).
 */
public final class Bridge {
    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
    /** Shares remembered per miner per chain tip for duplicate detection. */
    static final int MAX_SEEN_PER_TIP = 100_000;
    /** Malformed lines tolerated per connection before it is closed. */
    static final int MAX_MALFORMED = 5;
    /** Seconds an ntime may be ahead of this clock (Bitcoin's 2-hour rule). */
    static final long MAX_NTIME_AHEAD_SECONDS = 7200;
    /** per-miner mode: how long mining.authorize waits for OpenExtendedMiningChannel's answer. */
    static final long PENDING_AUTHORIZE_MILLIS = 15_000;

    /** Upstream channel state. */
    public enum UpstreamState { DISCONNECTED, OPENING, WAITING_FOR_WORK, READY }

    /** A job as sent to SV1 miners. */
    record Sv1Job(long seq, String sv1JobId, int sv2JobId, MiningNotify miningNotify, String line) {
    }

    private final BridgeConfig cfg;
    private final OpenRetry retry;
    private final InstantSource clock;
    private final TranslatorMetrics metrics;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Miner> miners = new LinkedHashMap<>();
    private final BitSet usedIndexes = new BitSet();
    /** subscription id -> reservation kept for session resume after a disconnect (insertion = expiry order). */
    private final LinkedHashMap<String, Reservation> resumable = new LinkedHashMap<>();
    private long nextMinerId = 1;
    private long jobSeq;

    private UpstreamLink upstream;
    private UpstreamState state = UpstreamState.DISCONNECTED;
    /** {@code state == READY}, published on every change for readers off the bridge loop (readiness probe). */
    private volatile boolean readyView;
    /** The aggregated channel (aggregated mode), or null. */
    private Upch shared;
    /** The pool accepted extension 0x0002 on this upstream connection (aggregated mode tags shares per miner). */
    private boolean workerTracking;
    /** Channels by OpenExtendedMiningChannel request id until answered. */
    private final Map<Integer, Upch> opening = new LinkedHashMap<>();
    /** Open channels (upstream messages are routed by channel id or group channel id). */
    private final List<Upch> open = new ArrayList<>();
    private long downSinceMillis;
    private boolean reconnectSent;
    private int nextRequestId;
    private String lastUpstreamError = "";
    /** SV2 connections to the active pool, the primary ({@code upstream}) first; more only in per-miner mode. */
    private final List<Conn> conns = new ArrayList<>();
    /** per-miner mode: a sibling connection was asked for and not yet answered. */
    private boolean siblingPending;
    /** per-miner mode: after a failed sibling connection, none is asked for before this time. */
    private long siblingRetryAtMillis;
    /** Milliseconds between sibling connection attempts after a failure. */
    static final long SIBLING_RETRY_MILLIS = 5_000;
    /** Aggregated mode: the pool refused the channel with a transient code at this time (-1: not waiting). */
    private long waitingSinceMillis = -1;
    /** Aggregated mode: the refused channel is asked for again at this time (-1: nothing scheduled). */
    private long openRetryAtMillis = -1;
    /** Aggregated mode: retries in the current wait. */
    private int openRetries;
    /** Aggregated mode: when the current retry of the channel request was sent. */
    private long openRetrySentAtMillis;
    /** The last refusal code of the current wait (status; excerpt of what the pool sent). */
    private String waitingCode = "";
    /** The last time a refused channel made the translator give a pool up, and why (status; null: none since the last open). */
    private Map<String, Object> failedOver;

    /** One upstream SV2 connection and how many channels (open or opening) it carries. */
    static final class Conn {
        final UpstreamLink link;
        int channels;

        Conn(UpstreamLink link) {
            this.link = link;
        }
    }

    /**
     * One upstream extended channel and the SV1 jobs derived from it: shared by all miners
     * (aggregated) or owned by one miner (per-miner mode).
     */
    final class Upch {
        final int requestId;
        final Miner owner;
        /** The connection the channel lives on (channel ids are per connection). */
        final Conn conn;
        /** Counted in {@code conn.channels}. */
        boolean placed;
        ExtendedChannelClient client;
        ExtranonceLayout layout;
        final LinkedHashMap<String, Sv1Job> jobs = new LinkedHashMap<>();
        Sv1Job latestJob;
        long lastUpdateMillis;
        double lastAnnouncedHashrate;

        Upch(int requestId, Miner owner, Conn conn) {
            this.requestId = requestId;
            this.owner = owner;
            this.conn = conn;
            this.placed = true;
            conn.channels++;
        }

        boolean addressedBy(int channelId) {
            return client != null && (client.channelId() == channelId
                    || (client.groupChannelId() != 0 && client.groupChannelId() == channelId));
        }

        Iterable<Miner> members() {
            if (owner != null) {
                return List.of(owner);
            }
            return miners.values().stream().filter(m -> m.ch == this).toList();
        }
    }

    private record Reservation(long index, long expiresAtMillis) {
    }

    /**
     * A miner's share state owned by its own SV1 loop (issue 19): the duplicate set and the vardiff. Only that loop reads
     * or writes it (for a miner on the bridge's loop, and in tests, that is the bridge's thread), so a credited share is
     * deduplicated, counted and answered there without a lock and without a hop to the bridge and back; the bridge
     * reaches it only through {@link MinerLink#onLoop} / {@link MinerLink#loop}.
     */
    static final class Home {
        /** Credited share hashes of the tip generation {@link #seenEpoch}; at most {@link #MAX_SEEN_PER_TIP}. */
        final Set<Hash256> seen = new HashSet<>();
        long seenEpoch;
        /** Null until the bridge starts the miner's work. */
        Vardiff vardiff;
        /** {@link Miner#vardiffGen} of {@link #vardiff}. */
        long vardiffGen;

        /** Empties the duplicate set when {@code epoch} is a later tip generation than the set's. */
        void moveTo(long epoch) {
            if (epoch > seenEpoch) {
                seen.clear();
                seenEpoch = epoch;
            }
        }
    }

    public Bridge(BridgeConfig cfg, InstantSource clock, TranslatorMetrics metrics) {
        this(cfg, clock, metrics, OpenRetry.defaults());
    }

    public Bridge(BridgeConfig cfg, InstantSource clock, TranslatorMetrics metrics, OpenRetry retry) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.downSinceMillis = clock.millis();
    }

    /** One SV1 connection. Mutable state owned by the bridge thread. */
    public final class Miner {
        final long id;
        final MinerLink link;
        final long connectedAtMillis;
        String userAgent = "";
        FirmwareFamily firmware = FirmwareFamily.UNKNOWN;
        boolean subscribed;
        boolean authorized;
        boolean working;
        boolean extranonceSubscribed;
        String subscriptionId;
        String username;
        long index = -1;
        Bytes extranonce1;
        int versionMask;
        double suggestedDifficulty;
        /** Bumped each time the bridge gives the miner a new vardiff (start of work, suggest_difficulty before a share). */
        long vardiffGen;
        double difficulty;
        Target target;
        Target previousTarget;
        long changeSeq;
        /**
         * The chain tip generation of this miner's work: bumped where the duplicate set must be emptied (a new prev hash on
         * its channel, the upstream gone, its channel lost). Written by the bridge inside an entry point; the miner's loop
         * reads it with the share's job in one consistent read ({@link #submitOffBridge}), and empties its set when it
         * moved on ({@link Home#seenEpoch}).
         */
        long tipEpoch;
        /** What the miner's own loop owns. */
        final Home home = new Home();
        /** The upstream channel this miner's work comes from (null while there is none). */
        Upch ch;
        /** per-miner mode: the authorize id whose reply waits for the channel to open. */
        JsonNode pendingAuthorizeId;
        long pendingSinceMillis;
        /** per-miner mode: the pool refused this miner's channel with a transient code at this time (-1: not waiting). */
        long waitingSinceMillis = -1;
        /** per-miner mode: the channel is asked for again at this time (-1: nothing scheduled). */
        long openRetryAtMillis = -1;
        int openRetries;
        /** Shares credited; written only by the miner's loop ({@link #credit}), read by the bridge. */
        volatile long accepted;
        long rejected;
        /**
         * Shares this miner's own SV1 loop rejected ({@link #submitOffBridge}); written only by that loop (one writer),
         * read by {@link #miners()}.
         */
        volatile long rejectedOffBridge;
        /** Written only by the miner's loop ({@link #credit}). */
        volatile long lastShareMillis;
        /** The vardiff's hashrate estimate, published by the miner's loop at each credited share and tick. */
        volatile double hashrate;
        int malformed;
        boolean closed;

        Miner(long id, MinerLink link) {
            this.id = id;
            this.link = link;
            this.connectedAtMillis = clock.millis();
        }

        public long id() {
            return id;
        }

        void reply(JsonNode reqId, JsonNode result) {
            link.send(Sv1Message.Response.ok(reqId, result));
        }

        void error(JsonNode reqId, Sv1Error e) {
            link.send(Sv1Message.Response.error(reqId, e));
        }
    }

    // ------------------------------------------------------------------ SV1 side

    /** A connection was accepted; returns null (and closes it) when the translator is full. */
    public Miner onMinerConnected(MinerLink link) {
        enter();
        try {
            return onMinerConnectedLocked(link);
        } finally {
            exit();
        }
    }

    private Miner onMinerConnectedLocked(MinerLink link) {
        if (miners.size() >= cfg.maxMiners()) {
            metrics.problem(Sv1Problem.OVERFLOW);
            link.sendAndClose(Sv1Message.Request.notification("client.show_message",
                    JsonNodeFactory.instance.arrayNode().add("translator full")));
            return null;
        }
        Miner m = new Miner(nextMinerId++, link);
        miners.put(m.id, m);
        metrics.connectionOpened();
        return m;
    }

    public void onMinerDisconnected(Miner m) {
        enter();
        try {
            onMinerDisconnectedLocked(m);
        } finally {
            exit();
        }
    }

    private void onMinerDisconnectedLocked(Miner m) {
        if (m == null || m.closed) {
            return;
        }
        m.closed = true;
        miners.remove(m.id);
        metrics.connectionClosed();
        if (m.subscribed) {
            metrics.minerGone(m.firmware);
        }
        if (cfg.perMinerChannels()) {
            closeOwnChannel(m, "miner-disconnected");
        } else if (m.working && m.accepted > 0) {
            announceHashrateNow(shared); // spec 5.3.8: a proxy MUST send UpdateChannel when a downstream closes
        }
        if (m.index >= 0) {
            if (m.subscriptionId != null && !cfg.resumeWindow().isZero()) {
                resumable.put(m.subscriptionId, new Reservation(m.index, clock.millis() + cfg.resumeWindow().toMillis()));
            } else {
                usedIndexes.clear((int) m.index);
            }
        }
    }

    private void closeOwnChannel(Miner m, String reason) {
        // a channel still opening stays in `opening`: its Success is answered with CloseChannel (m.closed), so the
        // pool never keeps a channel nobody uses, and its connection's count drops then
        Upch u = m.ch;
        m.ch = null;
        if (u != null && open.remove(u)) {
            u.conn.link.send(new CloseChannel(u.client.channelId(), reason));
            detach(u);
        }
    }

    /** A channel left its connection; a sibling connection with no channel left is closed. */
    private void detach(Upch u) {
        if (!u.placed) {
            return;
        }
        u.placed = false;
        Conn c = u.conn;
        c.channels--;
        if (c.channels <= 0 && !conns.isEmpty() && conns.get(0) != c && conns.remove(c)) {
            publishConnections();
            c.link.close("no channels left on this extra connection");
        }
    }

    private void publishConnections() {
        metrics.upstreamConnections(conns.size());
    }

    /** A line that was not valid JSON-RPC: error with id null; the connection closes after repeated garbage. */
    public void onMinerMalformed(Miner m, String reason) {
        enter();
        try {
            onMinerMalformedLocked(m, reason);
        } finally {
            exit();
        }
    }

    private void onMinerMalformedLocked(Miner m, String reason) {
        metrics.problem(Sv1Problem.MALFORMED);
        m.error(null, Sv1Error.other(reason));
        if (++m.malformed >= MAX_MALFORMED) {
            m.link.close();
        }
    }

    /** A response from the miner (e.g. to client.get_version): nothing to do. */
    public void onMinerResponse(Miner m, Sv1Message.Response r) {
        // accepted and ignored
    }

    /** A request from a miner (a share: one {@link #submitOffBridge} handed over, or of a miner on the bridge's loop). */
    public void onMinerRequest(Miner m, Sv1Message.Request r) {
        enter();
        try {
            onMinerRequestLocked(m, r);
        } finally {
            exit();
        }
    }

    private void onMinerRequestLocked(Miner m, Sv1Message.Request r) {
        if (m.closed) {
            return;
        }
        switch (r.method()) {
            case MiningConfigure.METHOD -> configure(m, r);
            case "mining.subscribe" -> subscribe(m, r);
            case "mining.authorize" -> authorize(m, r);
            case "mining.extranonce.subscribe" -> {
                m.extranonceSubscribed = true;
                m.reply(r.id(), BooleanNode.TRUE);
            }
            case "mining.suggest_difficulty" -> suggestDifficulty(m, r);
            case MiningSubmit.METHOD -> submit(m, r);
            default -> {
                metrics.problem(Sv1Problem.UNKNOWN_METHOD);
                m.error(r.id(), Sv1Error.other("Unknown method '" + excerpt(r.method()) + "'"));
            }
        }
    }

    private void configure(Miner m, Sv1Message.Request r) {
        MiningConfigure c;
        try {
            c = MiningConfigure.parse(r.params());
        } catch (Sv1ParseException e) {
            metrics.problem(Sv1Problem.BAD_PARAMS);
            m.error(r.id(), Sv1Error.other(e.getMessage()));
            return;
        }
        OptionalInt granted = OptionalInt.empty();
        if (c.wants(MiningConfigure.VERSION_ROLLING)) {
            int mask = VersionRolling.negotiate(c.versionRollingMask(), VersionRolling.BIP323_MASK);
            if (Integer.bitCount(mask) >= c.versionRollingMinBitCount()) {
                granted = OptionalInt.of(mask);
                m.versionMask = mask;
            }
        }
        // BIP310 minimum-difficulty is answered false, as SRI's translator does: a granted minimum is a promise never
        // to send a lower difficulty, and the translator cannot keep it, because every miner's difficulty is also
        // capped to the SV2 upstream target the pool sets (aggregated mode shares one channel). Answering true and
        // then sending less (the review saw 1.0 asked, 0.333 sent) is worse than saying no; mining.suggest_difficulty
        // remains the way to hint a starting difficulty.
        boolean minDiff = false;
        if (c.wants(MiningConfigure.SUBSCRIBE_EXTRANONCE)) {
            m.extranonceSubscribed = true;
        }
        m.reply(r.id(), c.result(granted, minDiff, c.wants(MiningConfigure.SUBSCRIBE_EXTRANONCE)));
    }

    private void subscribe(Miner m, Sv1Message.Request r) {
        if (m.subscribed) {
            m.error(r.id(), Sv1Error.other("Already subscribed"));
            return;
        }
        ArrayNode p = r.params();
        if (p.size() > 0 && p.get(0).isTextual()) {
            m.userAgent = excerpt(p.get(0).asText());
        }
        String resumeId = p.size() > 1 && p.get(1).isTextual() ? p.get(1).asText() : null;
        if (!cfg.stableExtranonce1() && (shared == null || shared.layout == null)) {
            metrics.problem(Sv1Problem.NO_UPSTREAM);
            m.error(r.id(), Sv1Error.other("Upstream pool not connected, retry later"));
            return;
        }
        long index = -1;
        String subId = null;
        if (resumeId != null) {
            Reservation res = resumable.remove(resumeId);
            if (res != null) {
                index = res.index();
                subId = resumeId;
            }
        }
        if (index < 0) {
            index = allocateIndex();
            if (index < 0) {
                metrics.problem(Sv1Problem.OVERFLOW);
                m.error(r.id(), Sv1Error.other("No extranonce space left"));
                return;
            }
            subId = newSubscriptionId();
        }
        m.index = index;
        m.subscriptionId = subId;
        m.extranonce1 = extranonce1(shared == null ? null : shared.layout, index);
        m.subscribed = true;
        m.firmware = FirmwareFamily.of(m.userAgent);
        metrics.minerSubscribed(m.firmware);
        if (!cfg.perMinerChannels()) {
            m.ch = shared;
        }
        m.reply(r.id(), new SubscribeResult(subId, subId, m.extranonce1, cfg.extranonce2Size()).toJson());
        startWorkIfReady(m);
    }

    private void authorize(Miner m, Sv1Message.Request r) {
        ArrayNode p = r.params();
        if (p.isEmpty() || !p.get(0).isTextual() || p.get(0).asText().isBlank() || p.get(0).asText().length() > 255) {
            metrics.problem(Sv1Problem.BAD_PARAMS);
            m.error(r.id(), Sv1Error.other("mining.authorize params[0] username: expected a non-empty string of at most 255 chars"));
            return;
        }
        if (m.authorized || m.pendingAuthorizeId != null) {
            m.reply(r.id(), BooleanNode.valueOf(m.username.equals(p.get(0).asText())));
            return;
        }
        // the password (params[1]) is never stored or logged
        m.username = p.get(0).asText();
        if (cfg.perMinerChannels() && state != UpstreamState.DISCONNECTED) {
            // the pool judges the identity: answer when its channel opens (or is refused)
            m.pendingAuthorizeId = r.id();
            m.pendingSinceMillis = clock.millis();
            openChannel(m);
            return;
        }
        m.authorized = true;
        m.reply(r.id(), BooleanNode.TRUE);
        if (cfg.perMinerChannels()) {
            openChannel(m); // no-op while disconnected: opened on onUpstreamUp
        }
        startWorkIfReady(m);
    }

    private void suggestDifficulty(Miner m, Sv1Message.Request r) {
        ArrayNode p = r.params();
        if (p.isEmpty() || !p.get(0).isNumber() || !(p.get(0).asDouble() > 0) || Double.isInfinite(p.get(0).asDouble())) {
            metrics.problem(Sv1Problem.BAD_PARAMS);
            m.error(r.id(), Sv1Error.other("mining.suggest_difficulty params[0]: expected a number > 0"));
            return;
        }
        m.suggestedDifficulty = clampDifficulty(p.get(0).asDouble());
        m.reply(r.id(), BooleanNode.TRUE);
        if (m.working && m.accepted == 0) {
            newVardiff(m, m.suggestedDifficulty);
            setDifficulty(m, capToUpstream(m, m.suggestedDifficulty));
        }
    }

    private void startWorkIfReady(Miner m) {
        if (m.working || !m.subscribed || !m.authorized) {
            return;
        }
        m.working = true;
        double start = m.suggestedDifficulty > 0 ? m.suggestedDifficulty : clampDifficulty(cfg.startDifficulty());
        newVardiff(m, start);
        setDifficulty(m, capToUpstream(m, start));
        if (m.versionMask != 0) {
            m.link.send(Sv1Message.Request.notification("mining.set_version_mask",
                    JsonNodeFactory.instance.arrayNode().add(org.hyperhash.sv1.Sv1Hex.u32(m.versionMask))));
        }
        if (m.ch != null && m.ch.latestJob != null) {
            m.link.send(cleanCopy(m.ch.latestJob));
        }
    }

    /**
     * Gives the miner a new vardiff at {@code start}: made here (its clock starts now, as before), installed on the
     * miner's loop, which owns it, before that loop judges another share of the miner ({@link MinerLink#onLoop}).
     */
    private void newVardiff(Miner m, double start) {
        Vardiff v = new Vardiff(cfg.vardiff(), clock, start);
        long gen = ++m.vardiffGen;
        m.link.onLoop(() -> {
            m.home.vardiff = v;
            m.home.vardiffGen = gen;
        });
    }

    private void submit(Miner m, Sv1Message.Request r) {
        if (!m.subscribed) {
            reject(m, r, ShareReject.NOT_SUBSCRIBED, Sv1Error.notSubscribed());
            return;
        }
        if (!m.authorized) {
            reject(m, r, ShareReject.UNAUTHORIZED, Sv1Error.unauthorized());
            return;
        }
        MiningSubmit s;
        try {
            s = MiningSubmit.parse(r.params(), cfg.extranonce2Size());
        } catch (Sv1ParseException e) {
            reject(m, r, ShareReject.BAD_PARAMS, Sv1Error.other(e.getMessage()));
            return;
        }
        Upch u = m.ch;
        Sv1Job job = u == null ? null : u.jobs.get(s.jobId());
        if (job == null || u.client == null || state != UpstreamState.READY) {
            reject(m, r, ShareReject.STALE, Sv1Error.stale());
            return;
        }
        ExtendedChannelClient channel = u.client;
        Refusal early = versionOrNtimeRefusal(s, m.versionMask);
        if (early != null) {
            reject(m, r, early.reason(), early.error());
            return;
        }
        int version = Sv1Sv2.shareVersion(job.miningNotify().version(), s, m.versionMask);
        Bytes upstreamExtranonce = u.layout.upstreamExtranonce(m.index, s.extranonce2());
        ShareResult check = channel.check(job.sv2JobId(), upstreamExtranonce, s.nonce(), s.ntime(), version);
        boolean forward;
        switch (check) {
            case ShareResult.Accepted _ -> forward = true;
            case ShareResult.BlockFound _ -> forward = true;
            case ShareResult.Rejected rej -> {
                Refusal no = checkRefusal(rej);
                if (no != null) {
                    reject(m, r, no.reason(), no.error());
                    return;
                }
                forward = false; // below the upstream target: judged against the miner's own below
            }
        }
        Hash256 hash = channel.lastShareHash();
        boolean block = channel.lastShareMeetsNetworkTarget();
        Target t = shareTarget(job.seq(), m.changeSeq, m.target, m.previousTarget);
        if (!block && !t.isMetBy(hash.unsafeWireBytes())) {
            reject(m, r, ShareReject.LOW_DIFFICULTY, Sv1Error.lowDifficulty());
            return;
        }
        Forward f = forward || block ? new Forward(u, channel, channel.currentJob(job.sv2JobId()), channel.chainTip(),
                job.sv2JobId(), upstreamExtranonce, s.nonce(), s.ntime(), version, block, hash) : null;
        JsonNode id = r.id();
        long epoch = m.tipEpoch;
        double shareDifficulty = Targets.toDifficulty(t);
        // the rest is the miner's loop's (inline when that is this thread: a miner on the bridge's loop, tests)
        m.link.onLoop(() -> credit(m, id, hash, epoch, shareDifficulty, f));
    }

    /**
     * What a credited share sends upstream, and everything its verdict was computed from (the channel object, its job
     * object for the share's job and the tip: replaced, never changed, by a new upstream target, extranonce prefix or
     * prev hash), so the bridge can see whether it still holds.
     */
    record Forward(Upch upch, ExtendedChannelClient client, ExtendedChannelClient.ClientJob clientJob,
            org.hyperhash.sv2.message.mining.SetNewPrevHash tip, int sv2JobId, Bytes upstreamExtranonce, int nonce, int ntime,
            int version, boolean block, Hash256 hash) {
    }

    /**
     * A share that meets the miner's target, judged against the bridge's state of one instant (by the miner's loop or
     * by the bridge): deduplicated, counted, answered and fed to the vardiff here, on the miner's own loop, the only
     * thread that touches {@link Home}; then, if it meets the upstream target, handed to the bridge for the pool
     * ({@link #forward}) without waiting for it: the miner's {@code true} means what it meant before, that the
     * translator judged the share valid work for the job it was sent, meeting the difficulty set; the pool's own
     * verdict comes later and is counted ({@code hh_translator_upstream_shares_total}), never relayed to the miner
     * (translator/README.md "What a share's reply means").
     *
     * @param epoch the miner's {@link Miner#tipEpoch} read with the share's job: a later one than the set's empties it
     *     first (a new block), so the set only ever holds shares of the tip the share was judged on
     */
    private void credit(Miner m, JsonNode reqId, Hash256 hash, long epoch, double shareDifficulty, Forward f) {
        Home h = m.home;
        if (epoch < h.seenEpoch) {
            // cannot happen: this loop judges a share only with nothing of the miner's owed by the bridge, so the epochs
            // it is given only grow; never credit what could not be checked for a duplicate
            rejectOnLoop(m, reqId, ShareReject.STALE, Sv1Error.stale());
            return;
        }
        h.moveTo(epoch);
        if (h.seen.size() >= MAX_SEEN_PER_TIP) {
            rejectOnLoop(m, reqId, ShareReject.TOO_MANY, Sv1Error.other("Too many shares for this block"));
            return;
        }
        if (!h.seen.add(hash)) {
            rejectOnLoop(m, reqId, ShareReject.DUPLICATE, Sv1Error.duplicate());
            return;
        }
        m.accepted = m.accepted + 1; // one writer: this loop
        m.lastShareMillis = clock.millis();
        metrics.shareAccepted();
        m.reply(reqId, BooleanNode.TRUE);
        if (f != null) {
            m.link.onBridge(() -> forward(m, f));
        }
        Vardiff v = h.vardiff;
        if (v != null) {
            vardiffStepped(m, v, v.onShare(shareDifficulty));
        }
    }

    /**
     * The miner's loop, after its vardiff saw a share or a tick: a new target goes to the bridge ({@link #retarget},
     * tagged with the vardiff's generation) and the hashrate estimate is published for the bridge's readers.
     */
    private void vardiffStepped(Miner m, Vardiff v, java.util.Optional<Target> next) {
        if (next.isPresent()) {
            long gen = m.home.vardiffGen;
            double d = Targets.toDifficulty(next.get());
            m.link.onBridge(() -> retarget(m, gen, d));
        }
        m.hashrate = v.estimatedHashrateHps();
    }

    /**
     * Bridge thread: a credited share to the pool. Writes nothing {@link #submitOffBridge} reads (the channel's sequence
     * number, metrics, the upstream link), so it runs without {@link #enter()}: the stream of forwards does not make
     * the loops' reads of the bridge's state fail. If what the loop judged the share against is no longer the channel's
     * (a harder upstream target, a new extranonce prefix or tip arrived in between) it is judged again against the
     * channel as it is now: the pool gets exactly what it got when the bridge judged every share.
     */
    private void forward(Miner m, Forward f) {
        Upch u = f.upch();
        ExtendedChannelClient c = u.client;
        if (state != UpstreamState.READY || m.ch != u || c != f.client()) {
            creditedNotForwarded++; // the channel is gone (upstream lost, failover, the miner's own channel closed)
            return;
        }
        boolean block = f.block();
        if (c.currentJob(f.sv2JobId()) != f.clientJob() || c.chainTip() != f.tip()) {
            if (c.check(f.sv2JobId(), f.upstreamExtranonce(), f.nonce(), f.ntime(), f.version()) instanceof ShareResult.Rejected) {
                creditedNotForwarded++;
                return;
            }
            block = c.lastShareMeetsNetworkTarget();
        }
        u.conn.link.send(c.submit(f.sv2JobId(), f.upstreamExtranonce(), f.nonce(), f.ntime(), f.version(),
                workerTracking && u.owner == null ? workerTlv(m) : List.of()));
        metrics.shareForwarded();
        if (block) {
            metrics.blockFound();
            LOG.info("block candidate from miner {} ({}): {}", m.id, m.firmware.label(), f.hash().toDisplayHex());
        }
    }

    /** Bridge thread only: credited shares whose channel changed before their submission (status, tests). */
    long creditedNotForwarded;

    /** Bridge thread: the miner's vardiff (on its loop) moved; applied unless the bridge gave it a new vardiff since. */
    private void retarget(Miner m, long gen, double difficulty) {
        enter();
        try {
            if (!m.closed && m.working && gen == m.vardiffGen) {
                setDifficulty(m, capToUpstream(m, difficulty));
            }
        } finally {
            exit();
        }
    }

    // ------------------------------------------------------------------ shares checked on the miner's own loop

    /*
     * Issue 19: with two or more SV1 loops, the miners on the other loops had every share handed to the bridge's loop
     * and the reply handed back (0.6 eventfd wake-ups and 0.9 context switches more per submit than a miner on the
     * bridge's loop). A share the bridge would reject without changing any state but its counters (stale, low
     * difficulty, bad parameters, ntime, version bits, not subscribed/authorized) is now judged on the miner's own loop
     * against the bridge's state, read optimistically under a sequence lock: `version` is odd while a bridge entry
     * point runs (every public method that can change a miner, a channel, a job table or the upstream state), so a
     * reader that saw the same even value before and after copying the fields it needs copied one consistent state, the
     * one the bridge would have judged the share against at that instant; any other read is thrown away and the share
     * goes to the bridge as before. Since then (sv1loop) a share that meets the miner's target is credited there too:
     * the duplicate set and the vardiff are the loop's own ({@link Home}), the set's tip generation is read in the same
     * consistent read as the share's job ({@link Miner#tipEpoch}), and only the submission to the pool crosses to the
     * bridge ({@link #forward}), with no task back. Every other request still runs on the bridge thread.
     */
    private volatile long version;
    private static final java.lang.invoke.VarHandle VERSION;

    static {
        try {
            VERSION = java.lang.invoke.MethodHandles.lookup().findVarHandle(Bridge.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /*
     * Each entry point repeats `enter(); try { ...Locked(...) } finally { exit(); }` rather than passing a lambda to one
     * helper: onMinerRequest runs per share, and a capturing lambda there is an allocation per share.
     */

    /** Nesting of bridge entry points on the bridge thread (an upstream close can call back in). Bridge thread only. */
    private int depth;

    private void enter() {
        if (depth++ == 0) {
            VERSION.getAndAdd(this, 1L); // odd; a full fence, so none of the writes below is seen before it
        }
    }

    /**
     * For assertions in the writers of what {@link #submitOffBridge} reads (state, job tables, a miner's target): they
     * must run inside an entry point's {@link #enter()}/{@link #exit()}, or a share read on another loop could see a
     * half-made change as consistent. The tests run with assertions on, so a new entry point that forgets it fails.
     */
    private boolean inEntryPoint() {
        if (depth <= 0) {
            throw new AssertionError("bridge state changed outside enter()/exit(): wrap the new entry point");
        }
        return true;
    }

    private void exit() {
        if (--depth == 0) {
            VERSION.setRelease(this, version + 1); // even again, after every write above
        }
    }

    /** Per-thread scratch of {@link #submitOffBridge} (each SV1 loop has its own). */
    private static final ThreadLocal<ShareScratch> SCRATCH = ThreadLocal.withInitial(ShareScratch::new);

    private static final class ShareScratch {
        final org.hyperhash.base.Sha256d sha = new org.hyperhash.base.Sha256d();
        final byte[] header = new byte[80];
        final byte[] root = new byte[32];
        final byte[] hash = new byte[32];
    }

    /**
     * What {@link #submitOffBridge} did with a share: {@link #ANSWERED} on the miner's loop (rejected, or credited there
     * and, if it meets the upstream target, handed to the bridge for the pool), or {@link #TO_BRIDGE}: the bridge's
     * state changed while the loop read it, or the share cannot be judged there; the bridge judges it
     * ({@link #onMinerRequest}) and credits it on the miner's loop.
     */
    public static final class Judgement {
        static final Judgement ANSWERED = new Judgement();
        static final Judgement TO_BRIDGE = new Judgement();

        private Judgement() {
        }

        /** The loop answered the share (reply sent there). */
        public boolean answered() {
            return this == ANSWERED;
        }
    }

    /**
     * A {@code mining.submit} on the miner's own SV1 loop, off the bridge thread: judges it against the bridge's state of
     * one instant, answers it there and returns {@link Judgement#ANSWERED}: rejected (same reply, counter and metric as
     * {@link #onMinerRequest}), or credited ({@link #credit}: duplicate check, count, reply and vardiff on this loop;
     * only its submission upstream goes to the bridge, {@link MinerLink#onBridge}); otherwise, having answered nothing,
     * returns {@link Judgement#TO_BRIDGE} (the bridge changed its state while this read it): pass the request to
     * {@link #onMinerRequest}. The caller must have nothing of this miner's still queued on or answered by the bridge
     * (replies stay in order) and must call this from the miner's loop only ({@link Home} and the miner's counters have
     * that one writer).
     */
    public Judgement submitOffBridge(Miner m, Sv1Message.Request r) {
        MiningSubmit s = null;
        String badParams = null;
        try {
            s = MiningSubmit.parse(r.params(), cfg.extranonce2Size()); // the request's own data: no bridge state
        } catch (Sv1ParseException e) {
            badParams = e.getMessage();
        }
        long v = (long) VERSION.getAcquire(this);
        if ((v & 1) != 0) {
            return Judgement.TO_BRIDGE;
        }
        boolean closed;
        boolean subscribed;
        boolean authorized;
        int versionMask;
        long index;
        Target target;
        Target previousTarget;
        long changeSeq;
        long epoch;
        UpstreamState st;
        Sv1Job job = null;
        ExtranonceLayout layout = null;
        ExtendedChannelClient.ClientJob clientJob = null;
        org.hyperhash.sv2.message.mining.SetNewPrevHash tip = null;
        Target network = null;
        int extranonceSize = 0;
        int channelId = 0;
        boolean hasClient = false;
        Upch u = null;
        ExtendedChannelClient client = null;
        try {
            closed = m.closed;
            subscribed = m.subscribed;
            authorized = m.authorized;
            versionMask = m.versionMask;
            index = m.index;
            target = m.target;
            previousTarget = m.previousTarget;
            changeSeq = m.changeSeq;
            epoch = m.tipEpoch;
            st = state;
            u = m.ch;
            if (u != null && s != null) {
                job = u.jobs.get(s.jobId());
                ExtendedChannelClient c = u.client;
                if (c != null) {
                    hasClient = true;
                    client = c;
                    layout = u.layout;
                    clientJob = job == null ? null : c.currentJob(job.sv2JobId());
                    tip = c.chainTip();
                    network = c.networkTarget();
                    extranonceSize = c.extranonceSize();
                    channelId = c.channelId();
                }
            }
        } catch (RuntimeException raced) {
            return Judgement.TO_BRIDGE; // a map read while the bridge changed it: the values are thrown away below anyway
        }
        java.lang.invoke.VarHandle.acquireFence();
        if ((long) VERSION.getVolatile(this) != v) {
            return Judgement.TO_BRIDGE;
        }
        // from here on: the copied values only, in the order of submit()
        if (closed) {
            return Judgement.TO_BRIDGE;
        }
        if (!subscribed) {
            rejectOnLoop(m, r.id(), ShareReject.NOT_SUBSCRIBED, Sv1Error.notSubscribed());
            return Judgement.ANSWERED;
        }
        if (!authorized) {
            rejectOnLoop(m, r.id(), ShareReject.UNAUTHORIZED, Sv1Error.unauthorized());
            return Judgement.ANSWERED;
        }
        if (s == null) {
            rejectOnLoop(m, r.id(), ShareReject.BAD_PARAMS, Sv1Error.other(badParams));
            return Judgement.ANSWERED;
        }
        if (job == null || !hasClient || st != UpstreamState.READY) {
            rejectOnLoop(m, r.id(), ShareReject.STALE, Sv1Error.stale());
            return Judgement.ANSWERED;
        }
        Refusal early = versionOrNtimeRefusal(s, versionMask);
        if (early != null) {
            rejectOnLoop(m, r.id(), early.reason(), early.error());
            return Judgement.ANSWERED;
        }
        if (layout == null || target == null) {
            return Judgement.TO_BRIDGE; // not a state submit() meets with a job in hand; let the bridge answer
        }
        int shareVersion = Sv1Sv2.shareVersion(job.miningNotify().version(), s, versionMask);
        Bytes upstreamExtranonce = layout.upstreamExtranonce(index, s.extranonce2());
        ShareScratch x = SCRATCH.get();
        ShareResult check = ExtendedChannelClient.check(clientJob, tip, network, extranonceSize, channelId, job.sv2JobId(),
                upstreamExtranonce, s.nonce(), s.ntime(), shareVersion, x.sha, x.header, x.root, x.hash);
        boolean upstreamMet = false;
        switch (check) {
            case ShareResult.Accepted _ -> upstreamMet = true; // meets the upstream target: forwarded by the bridge
            case ShareResult.BlockFound _ -> upstreamMet = true;
            case ShareResult.Rejected rej -> {
                Refusal no = checkRefusal(rej);
                if (no != null) {
                    rejectOnLoop(m, r.id(), no.reason(), no.error());
                    return Judgement.ANSWERED;
                }
                // below the upstream target: judged against the miner's own below
            }
        }
        boolean block = network != null && network.isMetBy(x.hash);
        Target t = shareTarget(job.seq(), changeSeq, target, previousTarget);
        if (!upstreamMet) {
            if (!block && !t.isMetBy(x.hash)) {
                rejectOnLoop(m, r.id(), ShareReject.LOW_DIFFICULTY, Sv1Error.lowDifficulty());
                return Judgement.ANSWERED;
            }
        }
        // a share to credit, here: the same hash, verdict and target the bridge would have used at that instant
        Hash256 hash = Hash256.fromWireBytes(x.hash);
        Forward f = upstreamMet || block ? new Forward(u, client, clientJob, tip, job.sv2JobId(), upstreamExtranonce,
                s.nonce(), s.ntime(), shareVersion, block, hash) : null;
        credit(m, r.id(), hash, epoch, Targets.toDifficulty(t), f);
        return Judgement.ANSWERED;
    }

    /** A share's refusal: the metric's reason and the SV1 error the miner gets. */
    private record Refusal(ShareReject reason, Sv1Error error) {
    }

    /**
     * The checks of a parsed submit that need no hashing: version bits against the negotiated mask, ntime not too far
     * ahead. Null when it passes them. One place for {@link #submit} and {@link #submitOffBridge}, so the two give the
     * same answer.
     */
    private Refusal versionOrNtimeRefusal(MiningSubmit s, int versionMask) {
        if (s.versionBits().isPresent()) {
            int bits = s.versionBits().getAsInt();
            if (versionMask == 0 && bits != 0) {
                return new Refusal(ShareReject.VERSION_BITS,
                        Sv1Error.other("version_bits sent but version rolling was not negotiated"));
            }
            if (!VersionRolling.withinMask(bits, versionMask)) {
                return new Refusal(ShareReject.VERSION_BITS, Sv1Error.other("version_bits "
                        + org.hyperhash.sv1.Sv1Hex.u32(bits) + " outside the negotiated mask "
                        + org.hyperhash.sv1.Sv1Hex.u32(versionMask)));
            }
        }
        long nowSeconds = clock.millis() / 1000;
        if (Integer.toUnsignedLong(s.ntime()) > nowSeconds + MAX_NTIME_AHEAD_SECONDS) {
            return new Refusal(ShareReject.NTIME, Sv1Error.other("ntime too far in the future"));
        }
        return null;
    }

    /**
     * The SV1 answer to the upstream channel's rejection of a share; null for {@link RejectReason#DIFFICULTY_TOO_LOW}
     * (below the upstream target: the caller judges it against the miner's own target).
     */
    private static Refusal checkRefusal(ShareResult.Rejected rej) {
        return switch (rej.reason()) {
            case DIFFICULTY_TOO_LOW -> null;
            case STALE_SHARE, INVALID_JOB_ID -> new Refusal(ShareReject.STALE, Sv1Error.stale());
            case NTIME_TOO_OLD, NTIME_TOO_NEW -> new Refusal(ShareReject.NTIME, Sv1Error.other("ntime out of range"));
            default -> new Refusal(ShareReject.VERSION_BITS, Sv1Error.other("invalid share: " + rej.errorCode()));
        };
    }

    private void rejectOnLoop(Miner m, JsonNode reqId, ShareReject reason, Sv1Error e) {
        m.rejectedOffBridge = m.rejectedOffBridge + 1; // one writer: the miner's loop
        metrics.shareRejected(reason);
        m.error(reqId, e);
    }

    private void reject(Miner m, Sv1Message.Request r, ShareReject reason, Sv1Error e) {
        m.rejected++;
        metrics.shareRejected(reason);
        m.error(r.id(), e);
    }

    // ------------------------------------------------------------------ upstream side

    /** SetupConnection succeeded on a (new) upstream connection: open the channel(s). */
    public void onUpstreamUp(UpstreamLink link) {
        enter();
        try {
            onUpstreamUpLocked(link);
        } finally {
            exit();
        }
    }

    private void onUpstreamUpLocked(UpstreamLink link) {
        if (upstream != null && upstream != link) {
            dropUpstreamState();
        }
        upstream = link;
        conns.clear();
        conns.add(new Conn(link));
        siblingPending = false;
        siblingRetryAtMillis = 0;
        publishConnections();
        setState(UpstreamState.OPENING);
        if (cfg.perMinerChannels()) {
            setState(UpstreamState.READY); // the connection is usable; each miner's channel opens on its own
            metrics.upstreamConnected(true);
            for (Miner m : miners.values()) {
                if (m.authorized) {
                    openChannel(m);
                }
            }
            return;
        }
        // extension 0x0002: ask to tag each SV1 miner's shares with its worker name on the shared channel (a pool
        // that does not implement 0x0001 ignores the request; shares then carry no TLV)
        workerTracking = false;
        link.send(new RequestExtensions(++nextRequestId & 0xFFFF, List.of(ExtensionNegotiation.WORKER_HASHRATE_TRACKING)));
        openSharedChannel(link);
    }

    /** Aggregated mode: OpenExtendedMiningChannel for all miners on the primary connection. */
    private void openSharedChannel(UpstreamLink link) {
        double hr = aggregateHashrate(null);
        if (hr <= 0) {
            hr = cfg.initialHashrateHps();
        }
        Upch u = new Upch(++nextRequestId, null, conns.get(0));
        u.lastAnnouncedHashrate = hr;
        opening.put(u.requestId, u);
        link.send(new OpenExtendedMiningChannel(u.requestId, cfg.userIdentity(), (float) hr, Target.MAX,
                cfg.extranonce2Size() + cfg.indexBytes()));
    }

    /**
     * per-miner mode: opens the miner's own channel under its authorized username, on the first connection with room
     * under {@code upstream.channels-per-connection}; when all are full, asks for a sibling connection to the same pool
     * and the channel opens once it is up ({@link #onSiblingUp}).
     */
    private void openChannel(Miner m) {
        if (upstream == null || m.ch != null || m.closed || opening.values().stream().anyMatch(u -> u.owner == m)
                || (m.openRetryAtMillis >= 0 && clock.millis() < m.openRetryAtMillis)) {
            return; // a refused channel is asked for again by the tick
        }
        m.openRetryAtMillis = -1;
        Conn c = null;
        for (Conn k : conns) {
            if (k.channels < cfg.channelsPerConnection()) {
                c = k;
                break;
            }
        }
        if (c == null) {
            if (siblingPending || clock.millis() < siblingRetryAtMillis) {
                return; // opened by onSiblingUp, or retried on the tick
            }
            if (upstream.openSibling()) {
                siblingPending = true;
                LOG.info("{} upstream connection(s) carry {} channels each: opening one more to pool {}", conns.size(),
                        cfg.channelsPerConnection(), upstream.poolName());
                return;
            }
            c = conns.get(conns.size() - 1); // the link cannot open more connections: exceed the budget
        }
        double d = m.suggestedDifficulty > 0 ? m.suggestedDifficulty : clampDifficulty(cfg.startDifficulty());
        double hr = Targets.hashrateFromDifficulty(d, cfg.vardiff().targetSharesPerMinute() / 60.0);
        Upch u = new Upch(++nextRequestId, m, c);
        u.lastAnnouncedHashrate = hr;
        opening.put(u.requestId, u);
        c.link.send(new OpenExtendedMiningChannel(u.requestId, m.username, (float) hr, Target.MAX,
                cfg.extranonce2Size() + cfg.indexBytes()));
    }

    public void onUpstreamDown(UpstreamLink link) {
        enter();
        try {
            onUpstreamDownLocked(link);
        } finally {
            exit();
        }
    }

    private void onUpstreamDownLocked(UpstreamLink link) {
        if (link != upstream) {
            Conn c = connOf(link);
            if (c != null) {
                siblingLost(c);
            }
            return;
        }
        dropUpstreamState();
        upstream = null;
    }

    private Conn connOf(UpstreamLink link) {
        for (Conn c : conns) {
            if (c.link == link) {
                return c;
            }
        }
        return null;
    }

    /** per-miner mode: a sibling connection opened (same pool as {@code upstream}); waiting miners' channels open on it. */
    public void onSiblingUp(UpstreamLink link) {
        enter();
        try {
            onSiblingUpLocked(link);
        } finally {
            exit();
        }
    }

    private void onSiblingUpLocked(UpstreamLink link) {
        siblingPending = false;
        if (upstream == null || !cfg.perMinerChannels()) {
            link.close("no primary upstream connection");
            return;
        }
        conns.add(new Conn(link));
        publishConnections();
        LOG.info("extra upstream connection to pool {} open ({} in all)", link.poolName(), conns.size());
        openWaitingChannels();
    }

    /** per-miner mode: the sibling connection asked for could not be opened; retried after a pause. */
    public void onSiblingFailed() {
        enter();
        try {
            onSiblingFailedLocked();
        } finally {
            exit();
        }
    }

    private void onSiblingFailedLocked() {
        siblingPending = false;
        siblingRetryAtMillis = clock.millis() + SIBLING_RETRY_MILLIS;
    }

    /** A sibling connection dropped: its miners' channels are opened again on the other connections (or a new one). */
    private void siblingLost(Conn c) {
        conns.remove(c);
        publishConnections();
        LOG.warn("extra upstream connection to pool {} lost", c.link.poolName());
        opening.values().removeIf(u -> u.conn == c);
        for (Iterator<Upch> it = open.iterator(); it.hasNext();) {
            Upch u = it.next();
            if (u.conn == c) {
                it.remove();
                if (u.owner != null && u.owner.ch == u) {
                    u.owner.ch = null;
                    u.owner.tipEpoch++;
                }
            }
        }
        openWaitingChannels();
    }

    /** per-miner mode: opens the channel of every miner that has an identity but no channel (open or opening). */
    private void openWaitingChannels() {
        if (upstream == null || !cfg.perMinerChannels()) {
            return;
        }
        Set<Miner> requested = new HashSet<>();
        for (Upch u : opening.values()) {
            requested.add(u.owner);
        }
        for (Miner m : miners.values()) {
            if (m.ch == null && !m.closed && m.username != null && (m.authorized || m.pendingAuthorizeId != null)
                    && !requested.contains(m)) {
                openChannel(m);
                if (siblingPending) {
                    return; // the rest open when the sibling is up
                }
            }
        }
    }

    private void dropUpstreamState() {
        if (state == UpstreamState.READY) {
            metrics.upstreamConnected(false);
        }
        setState(UpstreamState.DISCONNECTED);
        shared = null;
        opening.clear();
        open.clear();
        for (int i = 1; i < conns.size(); i++) {
            conns.get(i).link.close("primary upstream connection gone");
        }
        conns.clear();
        siblingPending = false;
        publishConnections();
        downSinceMillis = clock.millis();
        reconnectSent = false;
        waitingSinceMillis = -1;
        openRetryAtMillis = -1;
        openRetries = 0;
        for (Miner m : miners.values()) {
            m.tipEpoch++;
            m.ch = null;
            m.waitingSinceMillis = -1;
            m.openRetryAtMillis = -1;
            m.openRetries = 0;
            if (m.pendingAuthorizeId != null) {
                // the pool never answered: accept locally, the channel opens on the next upstream
                m.authorized = true;
                m.reply(m.pendingAuthorizeId, BooleanNode.TRUE);
                m.pendingAuthorizeId = null;
                startWorkIfReady(m);
            }
        }
    }

    public void onUpstreamMessage(UpstreamLink link, Sv2Message msg) {
        enter();
        try {
            onUpstreamMessageLocked(link, msg);
        } finally {
            exit();
        }
    }

    private void onUpstreamMessageLocked(UpstreamLink link, Sv2Message msg) {
        if (link != upstream && connOf(link) == null) {
            return;
        }
        switch (msg) {
            case OpenExtendedMiningChannelSuccess s -> channelOpened(link, s);
            case OpenMiningChannelError e -> channelRefused(link, e);
            case Sv2Message.ChannelMessage cm -> {
                for (Upch u : List.copyOf(open)) {
                    if (u.conn.link == link && u.addressedBy(cm.channelId())) {
                        onChannelMessage(link, u, cm);
                    }
                }
            }
            case Reconnect rc -> link.close("pool asked to reconnect");
            case RequestExtensionsSuccess ok -> {
                workerTracking = ok.supportedExtensions().contains(ExtensionNegotiation.WORKER_HASHRATE_TRACKING);
                LOG.info("pool {} {} per-worker share tagging (extension 0x0002)", link.poolName(),
                        workerTracking ? "accepted" : "did not accept");
            }
            case RequestExtensionsError err -> {
                workerTracking = false;
                LOG.info("pool {} does not support extensions {}", link.poolName(), err.unsupportedExtensions());
            }
            case SetGroupChannel g -> {
                // jobs and SetNewPrevHash may then be addressed to the group: route them to its member channels
                for (Upch u : open) {
                    if (u.client != null && u.conn.link == link) {
                        u.client.onSetGroupChannel(g);
                    }
                }
            }
            default -> LOG.debug("ignoring {} from upstream", msg.type());
        }
    }

    private void onChannelMessage(UpstreamLink link, Upch u, Sv2Message.ChannelMessage msg) {
        switch (msg) {
            case NewExtendedMiningJob j -> {
                if (u.client.onNewExtendedMiningJob(j) && u.client.chainTip() != null) {
                    publish(u, u.client.activeJob(), false);
                }
            }
            case SetNewPrevHash p -> {
                ExtendedChannelClient.ClientJob cj = u.client.onSetNewPrevHash(p);
                for (Miner m : u.members()) {
                    m.tipEpoch++; // each miner's loop empties its duplicate set when it sees the new value
                }
                if (cj != null) {
                    publish(u, cj, true);
                } else {
                    u.jobs.clear();
                    u.latestJob = null;
                }
            }
            case SetTarget t -> {
                u.client.onSetTarget(t);
                double cap = Targets.toDifficulty(t.maximumTarget());
                for (Miner m : u.members()) {
                    if (m.working && m.difficulty > cap) {
                        setDifficulty(m, cap);
                    }
                }
            }
            case SetExtranoncePrefix p -> {
                u.client.onSetExtranoncePrefix(p);
                applyLayout(link, u);
            }
            case SubmitSharesSuccess s -> metrics.upstreamAcks(Integer.toUnsignedLong(s.newSubmitsAcceptedCount()));
            case SubmitSharesError e -> {
                metrics.upstreamReject();
                LOG.debug("upstream rejected share {}: {}", Integer.toUnsignedLong(e.sequenceNumber()), excerpt(e.errorCode()));
            }
            case CloseChannel c -> {
                lastUpstreamError = "CloseChannel " + excerpt(c.reasonCode());
                if (u.owner == null) {
                    link.close("channel closed by pool");
                } else {
                    open.remove(u);
                    detach(u);
                    u.owner.ch = null;
                    sendReconnect(u.owner);
                }
            }
            default -> LOG.debug("ignoring {} from upstream", msg.type());
        }
    }

    private void channelRefused(UpstreamLink link, OpenMiningChannelError e) {
        Upch u = opening.get(e.requestId());
        if (u == null || u.conn.link != link) {
            return;
        }
        opening.remove(e.requestId());
        detach(u);
        if (u.owner != null && u.owner.closed) {
            return;
        }
        String code = excerpt(e.errorCode());
        lastUpstreamError = "OpenMiningChannel.Error " + code;
        long now = clock.millis();
        boolean transientCode = OpenRetry.classify(code) == OpenRetry.Kind.TRANSIENT;
        if (transientCode && link.failback() && (u.owner == null || open.isEmpty())) {
            giveUp(link, OpenRetry.GiveUp.FAILBACK_REFUSED, code);
            return;
        }
        if (u.owner == null) {
            if (!transientCode) {
                giveUp(link, OpenRetry.GiveUp.PERMANENT_ERROR, code);
                return;
            }
            if (waitingSinceMillis < 0) {
                waitingSinceMillis = now;
                openRetries = 0;
            }
            waitingCode = code;
            if (now - waitingSinceMillis >= retry.maxWait().toMillis()) {
                giveUp(link, OpenRetry.GiveUp.WAIT_EXCEEDED, code);
                return;
            }
            openRetries++;
            long delay = Math.min(retry.delayMillis(openRetries, random.nextDouble()),
                    waitingSinceMillis + retry.maxWait().toMillis() - now);
            openRetryAtMillis = now + Math.max(1, delay);
            setState(UpstreamState.WAITING_FOR_WORK);
            metrics.channelOpenRetry(OpenRetry.reason(code));
            if (openRetries == 1) {
                LOG.warn("pool {} refused the channel with {} (transient): asking again with back-off for up to {} s;"
                        + " {} SV1 miners stay connected", link.poolName(), code, retry.maxWait().toSeconds(), miners.size());
            } else {
                LOG.info("pool {} refused the channel with {} again: retry {} in {} ms", link.poolName(), code,
                        openRetries, delay);
            }
            return;
        }
        Miner m = u.owner;
        if (transientCode) {
            if (m.waitingSinceMillis < 0) {
                m.waitingSinceMillis = now;
                m.openRetries = 0;
            }
            if (now - m.waitingSinceMillis >= retry.maxWait().toMillis()) {
                // a transient code is the pool's state, not the miner's: the connection is given up for all
                giveUp(link, OpenRetry.GiveUp.WAIT_EXCEEDED, code, m.waitingSinceMillis, m.openRetries);
                return;
            }
            m.openRetries++;
            long delay = Math.min(retry.delayMillis(m.openRetries, random.nextDouble()),
                    m.waitingSinceMillis + retry.maxWait().toMillis() - now);
            m.openRetryAtMillis = now + Math.max(1, delay);
            metrics.channelOpenRetry(OpenRetry.reason(code));
            LOG.info("pool {} refused miner {}'s channel with {} (transient): retry {} in {} ms", link.poolName(), m.id,
                    code, m.openRetries, delay);
            if (m.pendingAuthorizeId != null) {
                // the pool did not judge the identity: accept locally (as when the upstream is down); work follows
                m.authorized = true;
                m.reply(m.pendingAuthorizeId, BooleanNode.TRUE);
                m.pendingAuthorizeId = null;
                startWorkIfReady(m);
            }
            return;
        }
        LOG.error("pool {} refused miner {}'s channel (user_identity of its mining.authorize) with {}: permanent,"
                + " not retried", link.poolName(), m.id, code);
        metrics.channelOpenGiveUp(OpenRetry.GiveUp.PERMANENT_ERROR);
        if (m.pendingAuthorizeId != null) {
            m.error(m.pendingAuthorizeId, new Sv1Error(Sv1Error.UNAUTHORIZED, "Pool refused worker: " + excerpt(e.errorCode())));
            m.pendingAuthorizeId = null;
            m.username = null;
        } else {
            sendReconnect(m);
        }
    }

    /** A refused channel ends this pool connection: the connector backs the pool off and fails over (grace starts). */
    private void giveUp(UpstreamLink link, OpenRetry.GiveUp why, String code) {
        giveUp(link, why, code, waitingSinceMillis, openRetries);
    }

    private void giveUp(UpstreamLink link, OpenRetry.GiveUp why, String code, long sinceMillis, int retries) {
        metrics.channelOpenGiveUp(why);
        long waited = sinceMillis < 0 ? 0 : clock.millis() - sinceMillis;
        if (why == OpenRetry.GiveUp.PERMANENT_ERROR) {
            LOG.error("pool {} refused the upstream channel with {}: permanent (check upstream.user-identity and the pool's"
                    + " settings), not retried; failing over to the next configured pool", link.poolName(), code);
        } else if (why == OpenRetry.GiveUp.FAILBACK_REFUSED) {
            LOG.warn("pool {} is back but refused the channel with {}: staying on the pool that has work (probed again"
                    + " after upstream.cooldown)", link.poolName(), code);
        } else {
            LOG.error("pool {} has refused the upstream channel with {} for {} s ({} retries, upstream.open-retry.max-wait):"
                    + " failing over to the next configured pool", link.poolName(), code, waited / 1000, retries);
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("pool", link.poolName());
        f.put("code", code);
        f.put("reason", why.label());
        f.put("at", Instant.ofEpochMilli(clock.millis()).toString());
        failedOver = f;
        link.close(why == OpenRetry.GiveUp.WAIT_EXCEEDED ? "no channel within max-wait: " + code : "channel refused: " + code);
    }

    private void channelOpened(UpstreamLink link, OpenExtendedMiningChannelSuccess s) {
        Upch u = opening.get(s.requestId());
        if (u == null || u.conn.link != link) {
            return;
        }
        opening.remove(s.requestId());
        if (u.owner != null && u.owner.closed) {
            link.send(new CloseChannel(s.channelId(), "miner-disconnected"));
            detach(u);
            return;
        }
        u.client = new ExtendedChannelClient(s, cfg.maxJobsPerTip());
        u.lastUpdateMillis = clock.millis();
        if (!applyLayout(link, u)) {
            return;
        }
        open.add(u);
        if (u.owner == null) {
            if (waitingSinceMillis >= 0) {
                LOG.info("pool {} opened the channel after {} s waiting ({} retries): SV1 miners get work again",
                        link.poolName(), (clock.millis() - waitingSinceMillis) / 1000, openRetries);
            }
            waitingSinceMillis = -1;
            openRetryAtMillis = -1;
            openRetries = 0;
            failedOver = null;
            shared = u;
            for (Miner m : miners.values()) {
                if (m.subscribed) {
                    m.ch = u;
                    capToNewChannel(m);
                }
            }
            setState(UpstreamState.READY);
            metrics.upstreamConnected(true);
            lastUpstreamError = "";
        } else {
            Miner m = u.owner;
            m.ch = u;
            m.waitingSinceMillis = -1;
            m.openRetryAtMillis = -1;
            m.openRetries = 0;
            failedOver = null;
            capToNewChannel(m);
            if (m.pendingAuthorizeId != null) {
                m.authorized = true;
                m.reply(m.pendingAuthorizeId, BooleanNode.TRUE);
                m.pendingAuthorizeId = null;
                startWorkIfReady(m);
            }
        }
        LOG.info("upstream channel {} open on {} for {}: extranonce_prefix {} B, extranonce_size {}, extranonce1 {} B",
                Integer.toUnsignedLong(s.channelId()), link.poolName(), u.owner == null ? "all miners" : "miner " + u.owner.id,
                s.extranoncePrefix().length(), s.extranonceSize(), u.layout.extranonce1Size());
    }

    /** (Re)computes a channel's layout; miners whose extranonce1 changed get set_extranonce or client.reconnect. */
    private boolean applyLayout(UpstreamLink link, Upch u) {
        try {
            u.layout = ExtranonceLayout.choose(u.client.extranoncePrefix(), u.client.extranonceSize(), cfg.extranonce2Size(),
                    cfg.indexBytes(), cfg.maxExtranonce1Bytes(), cfg.stableExtranonce1());
        } catch (IllegalArgumentException e) {
            lastUpstreamError = "extranonce space: " + e.getMessage();
            LOG.error("pool {}: {}", link.poolName(), e.getMessage());
            if (u.owner == null) {
                link.close("unusable extranonce space");
            } else {
                open.remove(u);
                if (u.owner.ch == u) {
                    u.owner.ch = null;
                }
                link.send(new CloseChannel(u.client.channelId(), "unusable-extranonce-space"));
                detach(u);
            }
            return false;
        }
        List<Miner> affected = new ArrayList<>();
        if (u.owner != null) {
            affected.add(u.owner);
        } else {
            for (Miner m : miners.values()) {
                if (m.subscribed) {
                    affected.add(m);
                }
            }
        }
        for (Miner m : affected) {
            Bytes en1 = u.layout.extranonce1(m.index);
            if (en1.equals(m.extranonce1)) {
                continue;
            }
            m.extranonce1 = en1;
            if (m.extranonceSubscribed) {
                m.link.send(Sv1Message.Request.notification("mining.set_extranonce",
                        JsonNodeFactory.instance.arrayNode().add(en1.toHex()).add(cfg.extranonce2Size())));
            } else {
                sendReconnect(m);
            }
        }
        return true;
    }

    private void publish(Upch u, ExtendedChannelClient.ClientJob cj, boolean clean) {
        // the first job of a (re)opened channel replaces whatever the miners had: always clean_jobs
        clean |= u.latestJob == null;
        long seq = ++jobSeq;
        String id = Long.toHexString(seq);
        MiningNotify n = Sv1Sv2.notify(id, cj.job(), u.client.chainTip(), u.layout, clean);
        Sv1Job job = new Sv1Job(seq, id, cj.job().jobId(), n, Sv1Json.write(n.toMessage()));
        if (clean) {
            u.jobs.clear();
        }
        assert inEntryPoint();
        u.jobs.put(id, job);
        while (u.jobs.size() > cfg.maxJobsPerTip()) {
            Iterator<String> it = u.jobs.keySet().iterator();
            it.next();
            it.remove();
        }
        u.latestJob = job;
        List<MinerLink> to = new ArrayList<>();
        for (Miner m : u.members()) {
            if (m.working) {
                to.add(m.link);
            }
        }
        if (!to.isEmpty()) {
            fanOut.send(to, job.line());
        }
    }

    /** How a job reaches the miners of a channel (the SV1 server's one-encode fan-out; {@link LineFanOut#EACH} by default). */
    private volatile LineFanOut fanOut = LineFanOut.EACH;

    /** Installs the SV1 server's fan-out; call before the upstream connects. */
    public void fanOut(LineFanOut f) {
        this.fanOut = java.util.Objects.requireNonNull(f, "fanOut");
    }

    /**
     * The job as a clean notify line, for a miner that just started work. Serialised once per job and kept (one entry:
     * the latest job): in a connect storm every new miner gets the same line instead of its own JSON write of the
     * whole notify on the bridge thread.
     */
    private String cleanCopy(Sv1Job j) {
        if (j.miningNotify().cleanJobs()) {
            return j.line();
        }
        if (cleanCopyOf != j) {
            MiningNotify n = j.miningNotify();
            cleanCopyLine = Sv1Json.write(new MiningNotify(n.jobId(), n.prevHash(), n.coinb1(), n.coinb2(), n.merkleBranch(),
                    n.version(), n.nbits(), n.ntime(), true).toMessage());
            cleanCopyOf = j;
        }
        return cleanCopyLine;
    }

    private Sv1Job cleanCopyOf;
    private String cleanCopyLine;

    // ------------------------------------------------------------------ timers

    /** Call about once a second: grace expiry, silent-miner vardiff, UpdateChannel, resume expiry. */
    public void onTick() {
        enter();
        try {
            onTickLocked();
        } finally {
            exit();
        }
    }

    private void onTickLocked() {
        long now = clock.millis();
        if (state == UpstreamState.WAITING_FOR_WORK && upstream != null && openRetryAtMillis >= 0 && now >= openRetryAtMillis
                && opening.isEmpty()) {
            openRetryAtMillis = -1;
            openRetrySentAtMillis = now;
            openSharedChannel(upstream);
        } else if (state == UpstreamState.WAITING_FOR_WORK && upstream != null && openRetryAtMillis < 0 && !opening.isEmpty()
                && now - openRetrySentAtMillis >= PENDING_AUTHORIZE_MILLIS) {
            // a retry the pool never answers must not keep the miners waiting (the grace period is paused meanwhile)
            giveUp(upstream, OpenRetry.GiveUp.WAIT_EXCEEDED, waitingCode + " (then no answer)");
        }
        // waiting for a transient refusal to clear is not "upstream down": miners stay (bounded by open-retry.max-wait)
        if (state != UpstreamState.READY && state != UpstreamState.WAITING_FOR_WORK && !reconnectSent
                && now - downSinceMillis >= cfg.grace().toMillis() && !miners.isEmpty()) {
            reconnectSent = true;
            LOG.warn("upstream down for {} s: sending client.reconnect to {} miners", cfg.grace().toSeconds(), miners.size());
            for (Miner m : new ArrayList<>(miners.values())) {
                sendReconnect(m);
            }
        }
        Map<java.util.concurrent.Executor, List<Miner>> ticks = new java.util.IdentityHashMap<>(4);
        for (Miner m : miners.values()) {
            if (m.pendingAuthorizeId != null && now - m.pendingSinceMillis >= PENDING_AUTHORIZE_MILLIS) {
                opening.values().removeIf(u -> {
                    if (u.owner == m) {
                        detach(u);
                        return true;
                    }
                    return false;
                });
                m.error(m.pendingAuthorizeId, Sv1Error.other("Pool did not answer the channel request, retry"));
                m.pendingAuthorizeId = null;
                m.username = null;
            }
            if (m.working) {
                ticks.computeIfAbsent(m.link.loop(), k -> new ArrayList<>()).add(m);
            }
        }
        // the vardiffs tick on their miners' loops (one task per loop), each with the tip generation of now
        for (Map.Entry<java.util.concurrent.Executor, List<Miner>> e : ticks.entrySet()) {
            List<Miner> group = e.getValue();
            long[] epochs = new long[group.size()];
            for (int i = 0; i < epochs.length; i++) {
                epochs[i] = group.get(i).tipEpoch;
            }
            try {
                e.getKey().execute(() -> {
                    for (int i = 0; i < epochs.length; i++) {
                        tickOnLoop(group.get(i), epochs[i]);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException shutDown) {
                break;
            }
        }
        if (cfg.perMinerChannels() && upstream != null) {
            for (Miner m : List.copyOf(miners.values())) {
                if (m.openRetryAtMillis >= 0 && now >= m.openRetryAtMillis && m.ch == null && !m.closed) {
                    m.openRetryAtMillis = -1;
                    openChannel(m);
                }
            }
        }
        if (state == UpstreamState.READY) {
            for (Upch u : open) {
                if (now - u.lastUpdateMillis < cfg.updateInterval().toMillis()) {
                    continue;
                }
                u.lastUpdateMillis = now;
                double hr = aggregateHashrate(u);
                if (hr > 0 && Math.abs(hr - u.lastAnnouncedHashrate) > 0.1 * u.lastAnnouncedHashrate) {
                    u.lastAnnouncedHashrate = hr;
                    u.conn.link.send(new UpdateChannel(u.client.channelId(), (float) hr, Target.MAX));
                }
            }
        }
        if (cfg.perMinerChannels() && upstream != null && !siblingPending && siblingRetryAtMillis != 0
                && now >= siblingRetryAtMillis) {
            siblingRetryAtMillis = 0;
            openWaitingChannels(); // a sibling connection failed: try again
        }
        Iterator<Map.Entry<String, Reservation>> it = resumable.entrySet().iterator();
        while (it.hasNext()) {
            Reservation r = it.next().getValue();
            if (r.expiresAtMillis() > now) {
                break;
            }
            usedIndexes.clear((int) r.index());
            it.remove();
        }
    }

    /**
     * The miner's loop, once a second: the vardiff's tick (a silent miner's difficulty is lowered through the bridge)
     * and its published hashrate; a duplicate set of an older tip is emptied now rather than at the next share.
     */
    private void tickOnLoop(Miner m, long epoch) {
        Home h = m.home;
        h.moveTo(epoch);
        Vardiff v = h.vardiff;
        if (v != null) {
            vardiffStepped(m, v, v.onTick());
        }
    }

    private void sendReconnect(Miner m) {
        ArrayNode p = JsonNodeFactory.instance.arrayNode();
        if (!cfg.reconnectHost().isEmpty()) {
            p.add(cfg.reconnectHost());
            p.add(cfg.reconnectPort());
            p.add(0);
        }
        metrics.reconnectSent();
        m.link.sendAndClose(Sv1Message.Request.notification("client.reconnect", p));
    }

    // ------------------------------------------------------------------ helpers

    private void setDifficulty(Miner m, double d) {
        assert inEntryPoint();
        if (d == m.difficulty && m.target != null) {
            return;
        }
        m.previousTarget = m.target;
        m.changeSeq = jobSeq;
        m.difficulty = d;
        m.target = targetOf(d);
        m.link.send(Sv1Message.Request.notification("mining.set_difficulty", JsonNodeFactory.instance.arrayNode().add(d)));
    }

    /**
     * {@link Targets#fromDifficulty}, the last result kept (a {@link Target} is immutable): every new miner starts at the
     * same difficulty, and the conversion is a 256-bit division (BigInteger), per-connection work that C2 compiled
     * during a connect storm. Bridge loop only.
     */
    private Target targetOf(double d) {
        if (d != lastTargetDifficulty || lastTarget == null) {
            lastTarget = Targets.fromDifficulty(d);
            lastTargetDifficulty = d;
        }
        return lastTarget;
    }

    private double lastTargetDifficulty;
    private Target lastTarget;

    /** After a (re)open, possibly on another pool: a working miner above the new channel's difficulty is lowered. */
    private void capToNewChannel(Miner m) {
        if (m.working && m.target != null) {
            double capped = capToUpstream(m, m.difficulty);
            if (capped < m.difficulty) {
                setDifficulty(m, capped);
            }
        }
    }

    /** A miner's difficulty never exceeds its upstream channel's (else shares the pool would credit are lost). */
    private double capToUpstream(Miner m, double d) {
        double c = clampDifficulty(d);
        if (m.ch != null && m.ch.client != null) {
            c = Math.min(c, Targets.toDifficulty(m.ch.client.target()));
        }
        return c;
    }

    private double clampDifficulty(double d) {
        return Math.max(cfg.vardiff().minDifficulty(), Math.min(cfg.vardiff().maxDifficulty(), d));
    }

    /**
     * The target a share of a job with sequence number {@code jobSeq} is judged against: the miner's current one, or for
     * a job sent before its last difficulty change ({@code changeSeq}) the easier of the current and the previous one.
     */
    private static Target shareTarget(long jobSeq, long changeSeq, Target target, Target previousTarget) {
        return jobSeq > changeSeq || previousTarget == null ? target : easier(target, previousTarget);
    }

    private static Target easier(Target a, Target b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Sum of the vardiff hashrate estimates of the channel's miners (all miners when u is null). */
    /** UpdateChannel with the aggregate hashrate of the channel's remaining miners, at once (not on the timer). */
    private void announceHashrateNow(Upch u) {
        if (u == null || u.client == null || state != UpstreamState.READY || upstream == null) {
            return;
        }
        double hr = aggregateHashrate(u);
        u.lastAnnouncedHashrate = hr;
        u.lastUpdateMillis = clock.millis();
        u.conn.link.send(new UpdateChannel(u.client.channelId(), (float) hr, Target.MAX));
    }

    /**
     * The 0x0002 user_identity TLV for a miner's share: its worker name (what follows the first '.' of its
     * mining.authorize username, or the whole username without a dot), cut to the extension's 32 bytes at a
     * character boundary; none for an empty name.
     */
    static List<Tlv> workerTlv(Miner m) {
        String u = m.username == null ? "" : m.username;
        int dot = u.indexOf('.');
        String w = dot < 0 ? u : u.substring(dot + 1);
        byte[] b = w.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length > TlvCodec.MAX_USER_IDENTITY_BYTES) {
            int n = TlvCodec.MAX_USER_IDENTITY_BYTES;
            while (n > 0 && (b[n] & 0xC0) == 0x80) {
                n--; // do not split a UTF-8 sequence
            }
            b = java.util.Arrays.copyOf(b, n);
        }
        return b.length == 0 ? List.of() : List.of(new Tlv(Tlv.EXT_WORKER_HASHRATE, Tlv.FIELD_USER_IDENTITY, Bytes.wrap(b)));
    }

    private double aggregateHashrate(Upch u) {
        double sum = 0;
        for (Miner m : u == null ? miners.values() : u.members()) {
            if (m.working && m.accepted > 0) {
                sum += m.hashrate; // published by the miner's loop at its last credited share or tick
            }
        }
        return sum;
    }

    private long allocateIndex() {
        long capacity = cfg.indexBytes() >= 4 ? Integer.MAX_VALUE : 1L << (8 * cfg.indexBytes());
        int i = usedIndexes.nextClearBit(0);
        if (i < capacity) {
            usedIndexes.set(i);
            return i;
        }
        if (!resumable.isEmpty()) {
            // reclaim the oldest resume reservation rather than refusing a live miner
            Iterator<Map.Entry<String, Reservation>> it = resumable.entrySet().iterator();
            long idx = it.next().getValue().index();
            it.remove();
            return idx;
        }
        return -1;
    }

    private Bytes extranonce1(ExtranonceLayout layout, long index) {
        if (layout != null) {
            return layout.extranonce1(index);
        }
        byte[] b = new byte[cfg.indexBytes()];
        long v = index;
        for (int i = b.length - 1; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return Bytes.wrap(b);
    }

    /**
     * A new subscription id: 8 unpredictable bytes in hex (it is the session-resume token, so it must not be guessable).
     * The bytes are slices of a batch drawn from {@link #random} and refilled when used up; each slice is handed out once
     * and wiped. One {@code nextBytes} per {@value #ID_BATCH_IDS} subscriptions instead of one per subscription: in a
     * connect storm the per-id draw (NativePRNG's lock, its SHA-1 mixing and the read of /dev/urandom's buffer) was a
     * call per new miner that C2 compiled during the storm (bench/README.md "Storm C2 per connection"). Bridge-loop only.
     */
    private String newSubscriptionId() {
        if (idBatchNext + SUBSCRIPTION_ID_BYTES > idBatch.length) {
            random.nextBytes(idBatch);
            idBatchNext = 0;
        }
        int from = idBatchNext;
        idBatchNext += SUBSCRIPTION_ID_BYTES;
        String id = java.util.HexFormat.of().formatHex(idBatch, from, from + SUBSCRIPTION_ID_BYTES);
        java.util.Arrays.fill(idBatch, from, from + SUBSCRIPTION_ID_BYTES, (byte) 0);
        return id;
    }

    static final int SUBSCRIPTION_ID_BYTES = 8;
    static final int ID_BATCH_IDS = 64;
    /** Random bytes for the next subscription ids (bridge loop); starts used up, so the first id draws a batch. */
    private final byte[] idBatch = new byte[SUBSCRIPTION_ID_BYTES * ID_BATCH_IDS];
    private int idBatchNext = idBatch.length;

    /** A miner's user agent or a peer's error text for replies and logs: {@link Sv1Json#printablePrefix}, 64 chars. */
    static String excerpt(String s) {
        return s == null ? "" : Sv1Json.printablePrefix(s, 64);
    }

    // ------------------------------------------------------------------ status

    public UpstreamState upstreamState() {
        return state;
    }

    /**
     * The upstream channel as the operator sees it: {@code open}, {@code opening}, {@code waiting_for_work} (a transient
     * refusal is being retried), {@code failed_over} (the last pool was given up after a refused channel and no channel
     * is open yet), or {@code disconnected}.
     */
    public String channelState() {
        return switch (state) {
            case READY -> "open";
            case WAITING_FOR_WORK -> "waiting_for_work";
            case OPENING -> failedOver != null ? "failed_over" : "opening";
            case DISCONNECTED -> failedOver != null ? "failed_over" : "disconnected";
        };
    }

    private void setState(UpstreamState s) {
        assert inEntryPoint();
        state = s;
        readyView = s == UpstreamState.READY;
    }

    /**
     * Aggregated: the shared channel is open; per-miner: the upstream connection is up. Safe from any thread: it is
     * published with each state change, so it never lags the session that is in use (no tick in between).
     */
    public boolean upstreamReady() {
        return readyView;
    }

    public int minerCount() {
        return miners.size();
    }

    /** /v1/status summary. */
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("upstream_state", state.name().toLowerCase(java.util.Locale.ROOT));
        s.put("upstream_pool", upstream == null ? null : upstream.poolName());
        s.put("mode", cfg.perMinerChannels() ? "per-miner" : "aggregated");
        s.put("last_upstream_error", lastUpstreamError);
        s.put("channel_state", channelState());
        if (!cfg.perMinerChannels() && waitingSinceMillis >= 0) {
            s.put("waiting_for_work_since", Instant.ofEpochMilli(waitingSinceMillis).toString());
            s.put("waiting_code", waitingCode);
            s.put("open_retries", openRetries);
            s.put("next_open_retry_in_ms", openRetryAtMillis < 0 ? 0 : Math.max(0, openRetryAtMillis - clock.millis()));
        }
        if (cfg.perMinerChannels()) {
            s.put("channels_waiting_for_work", miners.values().stream().filter(m -> m.waitingSinceMillis >= 0).count());
        }
        s.put("failed_over", failedOver);
        s.put("open_channels", open.size());
        s.put("upstream_connections", conns.size());
        if (cfg.perMinerChannels()) {
            s.put("channels_per_connection", cfg.channelsPerConnection());
        }
        if (shared != null) {
            s.put("channel_id", Integer.toUnsignedLong(shared.client.channelId()));
            s.put("upstream_difficulty", Targets.toDifficulty(shared.client.target()));
            s.put("extranonce1_bytes", shared.layout.extranonce1Size());
            s.put("current_job", shared.latestJob == null ? null : shared.latestJob.sv1JobId());
        }
        s.put("extranonce2_bytes", cfg.extranonce2Size());
        s.put("miners", miners.size());
        s.put("aggregate_hashrate_hps", aggregateHashrate(null));
        s.put("credited_not_forwarded", creditedNotForwarded);
        return s;
    }

    /** /v1/miners: one entry per connection (admin surface, not metrics). */
    public List<Map<String, Object>> miners() {
        List<Map<String, Object>> l = new ArrayList<>();
        for (Miner m : miners.values()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", m.id);
            e.put("remote", String.valueOf(m.link.remoteAddress()));
            e.put("worker", m.username);
            e.put("user_agent", m.userAgent);
            e.put("firmware", m.firmware.label());
            e.put("subscribed", m.subscribed);
            e.put("authorized", m.authorized);
            e.put("upstream_channel", m.ch == null || m.ch.client == null ? null : Integer.toUnsignedLong(m.ch.client.channelId()));
            e.put("extranonce1", m.extranonce1 == null ? null : m.extranonce1.toHex());
            e.put("version_mask", m.versionMask == 0 ? null : org.hyperhash.sv1.Sv1Hex.u32(m.versionMask));
            e.put("difficulty", m.difficulty);
            e.put("hashrate_hps", m.hashrate);
            e.put("accepted", m.accepted);
            e.put("rejected", m.rejected + m.rejectedOffBridge);
            e.put("last_share", m.lastShareMillis == 0 ? null : Instant.ofEpochMilli(m.lastShareMillis).toString());
            e.put("connected_since", Instant.ofEpochMilli(m.connectedAtMillis).toString());
            l.add(e);
        }
        return l;
    }
}
