package org.hyperhash.pool.jds;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Transaction;

/**
 * The JDS's view of the mempool: raw transactions by wtxid, from the pool's own templates (RequestTransactionData to
 * its template provider, which is Bitcoin Core's mempool selection) and from transactions JD clients provided and
 * the JDS verified. Least recently used entries go beyond {@code maxBytes}. Thread-safe.
 */
public final class JdsMempool {
    /** One transaction: raw (witness form), its txid and whether it carries a witness (parsed once, on entry). */
    public record Entry(Bytes raw, Hash256 txid, boolean witness) {
    }

    private final long maxBytes;
    private final LinkedHashMap<Hash256, Entry> byWtxid = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    public JdsMempool(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Adds raw transactions (witness form); malformed ones are skipped. Returns how many were added. */
    public int addAll(List<Bytes> raw) {
        int added = 0;
        for (Bytes r : raw) {
            Transaction t;
            try {
                t = Transaction.parse(r);
            } catch (RuntimeException e) {
                continue;
            }
            if (put(t.wtxid(), new Entry(r, t.txid(), t.hasWitness()))) {
                added++;
            }
        }
        return added;
    }

    /** Adds one transaction already verified to have {@code wtxid}. */
    public synchronized boolean put(Hash256 wtxid, Entry e) {
        if (e.raw().length() > maxBytes) {
            return false;
        }
        Entry old = byWtxid.put(wtxid, e);
        if (old != null) {
            bytes -= old.raw().length();
        }
        bytes += e.raw().length();
        Iterator<Map.Entry<Hash256, Entry>> it = byWtxid.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Map.Entry<Hash256, Entry> x = it.next();
            bytes -= x.getValue().raw().length();
            it.remove();
        }
        return old == null;
    }

    /** The transaction with this wtxid, or null. */
    public synchronized Entry get(Hash256 wtxid) {
        return byWtxid.get(wtxid);
    }

    public synchronized int size() {
        return byWtxid.size();
    }

    public synchronized long bytes() {
        return bytes;
    }
}
