package org.hyperhash.pool.upstream;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;
import org.hyperhash.base.Bytes;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.admin.PoolMetrics.TransactionDataEviction;
import org.hyperhash.pool.admin.PoolMetrics.TransactionDataPrefetch;
import org.hyperhash.sv2.tdp.TransactionDataResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactions of the templates shares can be found on, asked from the template provider (RequestTransactionData)
 * as soon as a template can be mined on, so the submitblock fallback can rebuild a found block even when the TP has
 * just gone away or is wedged. Keyed by template id, bounded by count and by total bytes, oldest out first.
 *
 * <p>One request per template id at a time: while an entry exists (answered or not) nobody asks again; a found block
 * waits for the pending answer instead. An entry whose answer carries no data is dropped (the next lookup asks
 * again). A NewTemplate whose id is already cached replaces the entry: ids are unique only within one provider
 * session, so the old one belongs to an earlier session. Nothing here trusts the data: the submitter checks it
 * against the found header's merkle root and {@link #invalidate}s an entry that does not match.
 *
 * <p>Thread-safe; every method is cheap and never blocks (the requester must not block either: it runs on the
 * caller's thread, a TDP event loop or a pool event loop). Answers are handled on {@code executor}.
 */
final class TransactionDataCache {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionDataCache.class);
    /**
     * Templates kept: the active one and the three before it. After a template update miners keep hashing the old
     * job until the new one reaches them, and the pool accepts shares (and so blocks) on past jobs of the current
     * tip; a block on a template more than a few updates old is very unlikely (and after a new tip it is stale).
     */
    static final int MAX_TEMPLATES = 4;
    /**
     * Bytes kept (raw transactions plus excess data, summed over the entries): four full blocks. A valid block is at
     * most 4,000,000 bytes serialized (it cannot exceed its weight), so with valid data the count bound always acts
     * first; this bounds the memory a misbehaving provider can make the pool hold.
     */
    static final long MAX_BYTES = 16L << 20;

    /** One template's data: {@code result} completes with the provider's answer; {@code bytes} is set once kept. */
    private static final class Entry {
        final long templateId;
        final CompletableFuture<TransactionDataResult> result = new CompletableFuture<>();
        long bytes;

        Entry(long templateId) {
            this.templateId = templateId;
        }
    }

    /** A lookup: the answer to wait for, and whether it was cached or already asked (no new request made). */
    record Lookup(CompletableFuture<TransactionDataResult> result, boolean cached) {
    }

    private final PoolMetrics metrics;
    private final Executor executor;
    private final int maxTemplates;
    private final long maxBytes;
    // guarded by this; insertion order = age
    private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>();
    private long totalBytes;

    TransactionDataCache(PoolMetrics metrics, Executor executor) {
        this(metrics, executor, MAX_TEMPLATES, MAX_BYTES);
    }

    TransactionDataCache(PoolMetrics metrics, Executor executor, int maxTemplates, long maxBytes) {
        if (maxTemplates < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("bounds must be positive");
        }
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.maxTemplates = maxTemplates;
        this.maxBytes = maxBytes;
    }

    /**
     * A NewTemplate. A non-future one can be mined on at once: its data is asked now. A future one is asked when a
     * SetNewPrevHash activates it ({@link #onActivated}). A template without transactions (empty merkle path) needs
     * no request: it is kept as known-empty.
     */
    void onNewTemplate(long templateId, boolean future, boolean hasTransactions,
            LongFunction<CompletableFuture<TransactionDataResult>> requester) {
        Entry e;
        synchronized (this) {
            remove(entries.get(templateId)); // an earlier session's template with the same id
            if (!hasTransactions) {
                e = put(templateId);
                e.result.complete(new TransactionDataResult.Success(templateId, Bytes.EMPTY, List.of()));
                return;
            }
            if (future) {
                return;
            }
            e = put(templateId);
        }
        request(e, requester);
    }

    /** A SetNewPrevHash made {@code templateId} the one to mine on: ask for its data unless it is cached or asked. */
    void onActivated(long templateId, LongFunction<CompletableFuture<TransactionDataResult>> requester) {
        Entry e;
        synchronized (this) {
            if (entries.containsKey(templateId)) {
                return;
            }
            e = put(templateId);
        }
        request(e, requester);
    }

    /**
     * The data of {@code templateId} for a found block: the cached or pending answer, else a new request (which
     * is cached too, so a second block on the same template does not ask again).
     */
    Lookup lookup(long templateId, LongFunction<CompletableFuture<TransactionDataResult>> requester) {
        Entry e;
        synchronized (this) {
            Entry have = entries.get(templateId);
            if (have != null) {
                return new Lookup(have.result, true);
            }
            e = put(templateId);
        }
        request(e, requester);
        return new Lookup(e.result, false);
    }

    /** Drops the entry for {@code templateId} if it still holds {@code result} (it did not match a found header). */
    synchronized void invalidate(long templateId, CompletableFuture<TransactionDataResult> result) {
        Entry e = entries.get(templateId);
        if (e != null && e.result == result) {
            remove(e);
        }
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized long bytes() {
        return totalBytes;
    }

    synchronized boolean contains(long templateId) {
        return entries.containsKey(templateId);
    }

    synchronized void clear() {
        entries.clear();
        totalBytes = 0;
        metrics.transactionDataCachedBytes.set(0);
    }

    // ------------------------------------------------------------------------------------------

    /** Under the lock: a new entry, evicting the oldest beyond the count bound. */
    private Entry put(long templateId) {
        Entry e = new Entry(templateId);
        entries.put(templateId, e);
        Iterator<Entry> it = entries.values().iterator();
        while (entries.size() > maxTemplates) {
            Entry old = it.next();
            it.remove();
            dropped(old, TransactionDataEviction.COUNT);
        }
        return e;
    }

    /** Under the lock. */
    private void remove(Entry e) {
        if (e != null && entries.remove(e.templateId, e)) {
            totalBytes -= e.bytes;
            metrics.transactionDataCachedBytes.set(totalBytes);
        }
    }

    private void dropped(Entry e, TransactionDataEviction why) {
        totalBytes -= e.bytes;
        metrics.transactionDataCachedBytes.set(totalBytes);
        metrics.transactionDataEvicted(why);
    }

    /** Outside the lock (the requester may complete at once). */
    private void request(Entry e, LongFunction<CompletableFuture<TransactionDataResult>> requester) {
        CompletableFuture<TransactionDataResult> f;
        try {
            f = requester.apply(e.templateId);
        } catch (RuntimeException ex) {
            f = CompletableFuture.failedFuture(ex);
        }
        f.whenCompleteAsync((r, err) -> answered(e, r, err), executor);
    }

    private void answered(Entry e, TransactionDataResult r, Throwable err) {
        if (!(r instanceof TransactionDataResult.Success s)) {
            metrics.transactionDataPrefetch(TransactionDataPrefetch.ERROR);
            synchronized (this) {
                remove(e); // not cached: the next lookup asks again
            }
            LOG.warn("transaction data of template {} not prefetched: {}", e.templateId,
                    err != null ? err.toString() : r);
            e.result.complete(r != null ? r : new TransactionDataResult.Unavailable(e.templateId, String.valueOf(err)));
            return;
        }
        long bytes = s.excessData().length();
        for (Bytes t : s.transactions()) {
            bytes += t.length();
        }
        boolean tooLarge = bytes > maxBytes;
        synchronized (this) {
            if (tooLarge) {
                remove(e);
            } else if (entries.get(e.templateId) == e) {
                e.bytes = bytes;
                totalBytes += bytes;
                Iterator<Entry> it = entries.values().iterator();
                while (totalBytes > maxBytes) {
                    Entry old = it.next();
                    if (old == e) {
                        continue;
                    }
                    it.remove();
                    dropped(old, TransactionDataEviction.BYTES);
                }
                metrics.transactionDataCachedBytes.set(totalBytes);
            }
            // else: evicted or replaced while the request was out; a found block waiting on it still gets the answer
        }
        if (tooLarge) {
            metrics.transactionDataPrefetch(TransactionDataPrefetch.TOO_LARGE);
            LOG.warn("transaction data of template {} ({} bytes, {} transactions) exceeds the {}-byte cache: not kept",
                    e.templateId, bytes, s.transactions().size(), maxBytes);
        } else {
            metrics.transactionDataPrefetch(TransactionDataPrefetch.OK);
            LOG.debug("transaction data of template {} prefetched: {} transactions, {} bytes", e.templateId,
                    s.transactions().size(), bytes);
        }
        e.result.complete(s);
    }
}
