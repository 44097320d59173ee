package org.hyperhash.pool.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import org.hyperhash.base.Bytes;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.admin.PoolMetrics.TransactionDataEviction;
import org.hyperhash.pool.admin.PoolMetrics.TransactionDataPrefetch;
import org.hyperhash.sv2.tdp.TransactionDataResult;
import org.junit.jupiter.api.Test;

/** Bounds, deduplication and eviction of the submitblock fallback's transaction prefetch (answers run inline). */
class TransactionDataCacheTest {
    private final PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
    private final Provider tp = new Provider();

    /** A template provider whose answers the test gives; counts the requests per template id. */
    private static final class Provider implements LongFunction<CompletableFuture<TransactionDataResult>> {
        final List<Long> asked = new ArrayList<>();
        final ConcurrentHashMap<Long, CompletableFuture<TransactionDataResult>> out = new ConcurrentHashMap<>();

        @Override
        public synchronized CompletableFuture<TransactionDataResult> apply(long id) {
            asked.add(id);
            CompletableFuture<TransactionDataResult> f = new CompletableFuture<>();
            out.put(id, f);
            return f;
        }

        synchronized long count(long id) {
            return asked.stream().filter(a -> a == id).count();
        }

        /** Answers the outstanding request for {@code id} with transactions of the given sizes. */
        void answer(long id, int... sizes) {
            out.remove(id).complete(data(id, sizes));
        }
    }

    private static TransactionDataResult.Success data(long id, int... sizes) {
        List<Bytes> txs = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] b = new byte[sizes[i]];
            b[0] = (byte) i;
            txs.add(Bytes.wrap(b));
        }
        return new TransactionDataResult.Success(id, Bytes.EMPTY, txs);
    }

    private TransactionDataCache cache(int maxTemplates, long maxBytes) {
        return new TransactionDataCache(metrics, Runnable::run, maxTemplates, maxBytes);
    }

    @Test
    void asksOnlyForTemplatesThatCanBeMinedOnAndOnlyOnce() {
        TransactionDataCache c = cache(4, 1 << 20);
        c.onNewTemplate(1, false, true, tp); // active at once
        assertEquals(List.of(1L), tp.asked);
        c.onNewTemplate(2, true, true, tp); // future: nothing yet
        assertEquals(List.of(1L), tp.asked);
        c.onActivated(2, tp);
        c.onActivated(2, tp); // a repeated SetNewPrevHash
        c.onActivated(1, tp); // already asked
        assertEquals(List.of(1L, 2L), tp.asked);
        // a coinbase-only template needs no request, active or future
        c.onNewTemplate(3, true, false, tp);
        c.onActivated(3, tp);
        TransactionDataCache.Lookup empty = c.lookup(3, tp);
        assertEquals(List.of(1L, 2L), tp.asked);
        assertTrue(empty.cached());
        assertEquals(List.of(), ((TransactionDataResult.Success) empty.result().join()).transactions());
    }

    @Test
    void aFoundBlockWaitsForTheRequestAlreadyOutInsteadOfAskingAgain() {
        TransactionDataCache c = cache(4, 1 << 20);
        c.onActivated(7, tp);
        TransactionDataCache.Lookup l = c.lookup(7, tp);
        TransactionDataCache.Lookup again = c.lookup(7, tp);
        assertTrue(l.cached(), "no new request while one is out");
        assertSame(l.result(), again.result());
        assertFalse(l.result().isDone());
        assertEquals(1, tp.count(7));
        tp.answer(7, 100, 200);
        assertEquals(2, ((TransactionDataResult.Success) l.result().join()).transactions().size());
        assertEquals(300, c.bytes());
        assertEquals(300, metrics.transactionDataCachedBytes.get());
        assertEquals(1, metrics.transactionDataPrefetchCount(TransactionDataPrefetch.OK));
        // answered: still no new request
        assertTrue(c.lookup(7, tp).cached());
        assertEquals(1, tp.count(7));
        // a template never prefetched is asked at lookup, and cached for a second block
        TransactionDataCache.Lookup miss = c.lookup(8, tp);
        assertFalse(miss.cached());
        assertSame(miss.result(), c.lookup(8, tp).result());
        assertEquals(1, tp.count(8));
    }

    @Test
    void aFailedAnswerIsNotKeptSoTheNextLookupAsksAgain() {
        TransactionDataCache c = cache(4, 1 << 20);
        c.onActivated(5, tp);
        TransactionDataCache.Lookup waiting = c.lookup(5, tp);
        tp.out.remove(5L).complete(new TransactionDataResult.Unavailable(5, "timeout"));
        assertInstanceOf(TransactionDataResult.Unavailable.class, waiting.result().join());
        assertFalse(c.contains(5));
        assertEquals(1, metrics.transactionDataPrefetchCount(TransactionDataPrefetch.ERROR));
        // a thrown requester or a failed future count the same
        c.onActivated(6, id -> {
            throw new IllegalStateException("boom");
        });
        c.onActivated(9, id -> CompletableFuture.failedFuture(new RuntimeException("gone")));
        assertFalse(c.contains(6));
        assertFalse(c.contains(9));
        assertEquals(3, metrics.transactionDataPrefetchCount(TransactionDataPrefetch.ERROR));
        TransactionDataCache.Lookup retry = c.lookup(5, tp);
        assertFalse(retry.cached());
        assertEquals(2, tp.count(5));
        tp.answer(5, 10);
        assertTrue(c.contains(5));
    }

    @Test
    void keepsTheLastTemplatesByCountOldestOut() {
        TransactionDataCache c = cache(4, 1 << 20);
        for (long id = 1; id <= 4; id++) {
            c.onActivated(id, tp);
            tp.answer(id, 100);
        }
        assertEquals(4, c.size());
        assertEquals(0, metrics.transactionDataEvictedCount(TransactionDataEviction.COUNT));
        c.onNewTemplate(5, false, true, tp);
        assertEquals(4, c.size(), "count bound");
        assertFalse(c.contains(1), "the oldest goes first");
        assertTrue(c.contains(2) && c.contains(5));
        assertEquals(1, metrics.transactionDataEvictedCount(TransactionDataEviction.COUNT));
        assertEquals(300, c.bytes(), "a pending entry holds no bytes yet");
        // an entry evicted while its request is out: the waiter gets the answer, the cache does not keep it
        TransactionDataCache.Lookup w = c.lookup(5, tp);
        c.onActivated(6, tp);
        c.onActivated(7, tp);
        c.onActivated(8, tp);
        c.onActivated(9, tp); // evicts 5 (pending)
        assertFalse(c.contains(5));
        tp.answer(5, 1000);
        assertEquals(1, ((TransactionDataResult.Success) w.result().join()).transactions().size());
        assertFalse(c.contains(5));
        assertEquals(0, c.bytes(), "2, 3, 4 evicted too; 6..9 pending");
        assertEquals(0, metrics.transactionDataCachedBytes.get());
    }

    @Test
    void keepsTheTotalUnderTheByteBoundAndSkipsATemplateLargerThanIt() {
        TransactionDataCache c = cache(4, 1000);
        c.onActivated(1, tp);
        tp.answer(1, 600);
        c.onActivated(2, tp);
        tp.answer(2, 300);
        assertEquals(900, c.bytes());
        c.onActivated(3, tp);
        tp.answer(3, 150, 50);
        assertEquals(500, c.bytes(), "1 evicted for 3");
        assertFalse(c.contains(1));
        assertTrue(c.contains(2) && c.contains(3));
        assertEquals(1, metrics.transactionDataEvictedCount(TransactionDataEviction.BYTES));
        // one template above the bound is not kept (nor does it evict the others); a waiter still gets it
        c.onActivated(4, tp);
        TransactionDataCache.Lookup big = c.lookup(4, tp);
        tp.answer(4, 600, 401);
        assertEquals(2, ((TransactionDataResult.Success) big.result().join()).transactions().size());
        assertFalse(c.contains(4));
        assertTrue(c.contains(2) && c.contains(3));
        assertEquals(500, c.bytes());
        assertEquals(500, metrics.transactionDataCachedBytes.get());
        assertEquals(1, metrics.transactionDataPrefetchCount(TransactionDataPrefetch.TOO_LARGE));
        assertEquals(3, metrics.transactionDataPrefetchCount(TransactionDataPrefetch.OK));
        assertEquals(1, metrics.transactionDataEvictedCount(TransactionDataEviction.BYTES));
    }

    @Test
    void aReusedTemplateIdReplacesTheEntryAndAMismatchedOneCanBeDropped() {
        TransactionDataCache c = cache(4, 1 << 20);
        c.onNewTemplate(3, false, true, tp);
        tp.answer(3, 100);
        CompletableFuture<TransactionDataResult> first = c.lookup(3, tp).result();
        // another provider session numbers its templates from the same ids
        c.onNewTemplate(3, true, true, tp);
        assertFalse(c.contains(3), "the earlier session's data is gone");
        assertEquals(0, c.bytes());
        c.onActivated(3, tp);
        assertEquals(2, tp.count(3));
        tp.answer(3, 200, 200);
        CompletableFuture<TransactionDataResult> second = c.lookup(3, tp).result();
        assertEquals(400, c.bytes());
        // invalidate only drops the entry it was given
        c.invalidate(3, first);
        assertTrue(c.contains(3));
        c.invalidate(3, second);
        assertFalse(c.contains(3));
        assertEquals(0, c.bytes());
        assertEquals(0, metrics.transactionDataCachedBytes.get());
    }
}
