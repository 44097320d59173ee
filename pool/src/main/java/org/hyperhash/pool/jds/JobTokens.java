package org.hyperhash.pool.jds;

import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;

/**
 * Mining job tokens shared by the JDS (which issues them) and the mining port (which checks SetCustomMiningJob
 * against them). Thread-safe (one lock; every operation is O(1) amortised except the expiry sweep, which runs on
 * allocation and visits expired entries only). Bounded: {@code maxPerConnection} unused tokens per JD connection
 * and {@code maxDeclared} declared jobs in total (oldest dropped); every token expires after {@code lifetime}.
 */
public final class JobTokens {
    /** A token handed out by AllocateMiningJobToken.Success and not declared yet (single use). */
    public record Allocated(long connectionId, String userIdentifier, long expiresMs) {
    }

    /**
     * A job the JDS accepted (DeclareMiningJob.Success): what a SetCustomMiningJob with its token must match.
     *
     * @param customTemplateId the id the custom job's JobTemplate carries (negative: never a TDP template id used by
     *     this pool's own templates, looked up with {@link #byTemplateId})
     * @param transactions the block's other transactions in order (witness form); empty in coinbase-only mode
     * @param txids their txids (merkle path source)
     */
    public record Declared(Bytes token, long connectionId, String userIdentifier, int version, DeclaredCoinbase coinbase,
            List<Bytes> transactions, List<Hash256> txids, List<Hash256> merklePath, long customTemplateId,
            long expiresMs) {
        public Declared {
            transactions = List.copyOf(transactions);
            txids = List.copyOf(txids);
            merklePath = List.copyOf(merklePath);
        }

        /** Transaction bytes this job holds. */
        long bytes() {
            long b = 0;
            for (Bytes t : transactions) {
                b += t.length();
            }
            return b;
        }
    }

    /** Why an allocation was refused. */
    public enum Refusal { TOKEN_LIMIT }

    private final InstantSource clock;
    private final long lifetimeMs;
    private final int maxPerConnection;
    private final int maxDeclared;
    private final long maxDeclaredBytes;
    private long declaredBytes;
    private final SecureRandom random = new SecureRandom();
    private final Map<Bytes, Allocated> allocated = new LinkedHashMap<>();
    private final Map<Long, Integer> perConnection = new java.util.HashMap<>();
    private final LinkedHashMap<Bytes, Declared> declared = new LinkedHashMap<>();
    /** Custom template id -> declared job, for blocks found on it; bounded like {@link #declared} but not expired. */
    private final LinkedHashMap<Long, Declared> byTemplateId = new LinkedHashMap<>();
    private long nextTemplateSerial = 1;

    public JobTokens(InstantSource clock, java.time.Duration lifetime, int maxPerConnection, int maxDeclared) {
        this(clock, lifetime, maxPerConnection, maxDeclared, Long.MAX_VALUE);
    }

    /**
     * @param maxDeclaredBytes transaction bytes the declared jobs may hold in total (oldest dropped beyond it; counted
     *     per job, so transactions shared with the mempool view are counted again: a conservative bound)
     */
    public JobTokens(InstantSource clock, java.time.Duration lifetime, int maxPerConnection, int maxDeclared,
            long maxDeclaredBytes) {
        this.clock = clock;
        this.lifetimeMs = lifetime.toMillis();
        this.maxPerConnection = maxPerConnection;
        this.maxDeclared = maxDeclared;
        this.maxDeclaredBytes = maxDeclaredBytes;
    }

    /** A new token for {@code connectionId}, or null when that connection holds {@code maxPerConnection} unused ones. */
    public synchronized Bytes allocate(long connectionId, String userIdentifier) {
        sweep();
        int held = perConnection.getOrDefault(connectionId, 0);
        if (held >= maxPerConnection) {
            return null;
        }
        Bytes token = newToken();
        allocated.put(token, new Allocated(connectionId, userIdentifier, clock.millis() + lifetimeMs));
        perConnection.put(connectionId, held + 1);
        return token;
    }

    /** Takes (consumes) an allocated token of {@code connectionId}; null when unknown, expired or another's. */
    public synchronized Allocated take(Bytes token, long connectionId) {
        Allocated a = allocated.get(token);
        if (a == null || a.connectionId() != connectionId) {
            return null;
        }
        allocated.remove(token);
        perConnection.computeIfPresent(connectionId, (k, v) -> v <= 1 ? null : v - 1);
        return a.expiresMs() < clock.millis() ? null : a;
    }

    /** An allocated token still valid (coinbase-only mode: SetCustomMiningJob with the allocated token), or null. */
    public synchronized Allocated peekAllocated(Bytes token) {
        Allocated a = allocated.get(token);
        return a == null || a.expiresMs() < clock.millis() ? null : a;
    }

    /**
     * Records an accepted declaration; returns it with its new token, custom template id and the coinbase merkle path
     * of its transactions (computed here, outside the lock, so the mining port's check is a comparison).
     */
    public Declared declare(long connectionId, String userIdentifier, int version, DeclaredCoinbase coinbase,
            List<Bytes> transactions, List<Hash256> txids) {
        List<Hash256> path = org.hyperhash.base.MerkleBranch.coinbasePath(txids);
        synchronized (this) {
            return add(connectionId, userIdentifier, version, coinbase, transactions, txids, path);
        }
    }

    private Declared add(long connectionId, String userIdentifier, int version, DeclaredCoinbase coinbase,
            List<Bytes> transactions, List<Hash256> txids, List<Hash256> path) {
        Declared d = new Declared(newToken(), connectionId, userIdentifier, version, coinbase, transactions, txids, path,
                Long.MIN_VALUE + nextTemplateSerial++, clock.millis() + lifetimeMs);
        declared.put(d.token(), d);
        byTemplateId.put(d.customTemplateId(), d);
        declaredBytes += d.bytes();
        // byTemplateId holds every declared job still kept (declared loses expired ones): it is what is bounded
        while (byTemplateId.size() > maxDeclared || (declaredBytes > maxDeclaredBytes && byTemplateId.size() > 1)) {
            Iterator<Declared> it = byTemplateId.values().iterator();
            Declared old = it.next();
            it.remove();
            declaredBytes -= old.bytes();
            declared.remove(old.token());
        }
        return d;
    }

    /** The declared job for a SetCustomMiningJob token, or null (unknown or expired). */
    public synchronized Declared declared(Bytes token) {
        Declared d = declared.get(token);
        return d == null || d.expiresMs() < clock.millis() ? null : d;
    }

    /** The declared job a custom JobTemplate was built from (block submission; not subject to expiry), or null. */
    public synchronized Declared byTemplateId(long customTemplateId) {
        return byTemplateId.get(customTemplateId);
    }

    /** A JD connection closed: its unused tokens go (declared jobs stay valid for the mining port until expiry). */
    public synchronized void connectionClosed(long connectionId) {
        allocated.values().removeIf(a -> a.connectionId() == connectionId);
        perConnection.remove(connectionId);
    }

    public synchronized int allocatedCount() {
        return allocated.size();
    }

    public synchronized int declaredCount() {
        return declared.size();
    }

    private void sweep() {
        long now = clock.millis();
        Iterator<Allocated> it = allocated.values().iterator();
        while (it.hasNext()) {
            Allocated a = it.next();
            if (a.expiresMs() >= now) {
                break; // insertion order = expiry order (one lifetime)
            }
            it.remove();
            perConnection.computeIfPresent(a.connectionId(), (k, v) -> v <= 1 ? null : v - 1);
        }
        Iterator<Declared> d = declared.values().iterator();
        while (d.hasNext()) {
            Declared x = d.next();
            if (x.expiresMs() >= now) {
                break;
            }
            d.remove(); // byTemplateId keeps it (bounded) for a block found just before expiry
        }
    }

    private Bytes newToken() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return Bytes.wrap(b);
    }
}
