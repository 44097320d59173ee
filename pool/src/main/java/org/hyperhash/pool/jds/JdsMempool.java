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
    private final long maxBytes;
    private final LinkedHashMap<Hash256, Bytes> byWtxid = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    public JdsMempool(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Adds raw transactions (witness form); malformed ones are skipped. Returns how many were added. */
    public int addAll(List<Bytes> raw) {
        int added = 0;
        for (Bytes r : raw) {
            Hash256 w;
            try {
                w = Transaction.parse(r).wtxid();
            } catch (RuntimeException e) {
                continue;
            }
            if (put(w, r)) {
                added++;
            }
        }
        return added;
    }

    /** Adds one transaction already verified to have {@code wtxid}. */
    public synchronized boolean put(Hash256 wtxid, Bytes raw) {
        if (raw.length() > maxBytes) {
            return false;
        }
        Bytes old = byWtxid.put(wtxid, raw);
        if (old != null) {
            bytes -= old.length();
        }
        bytes += raw.length();
        Iterator<Map.Entry<Hash256, Bytes>> it = byWtxid.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Map.Entry<Hash256, Bytes> e = it.next();
            bytes -= e.getValue().length();
            it.remove();
        }
        return old == null;
    }

    /** The raw transaction with this wtxid, or null. */
    public synchronized Bytes get(Hash256 wtxid) {
        return byWtxid.get(wtxid);
    }

    public synchronized int size() {
        return byWtxid.size();
    }

    public synchronized long bytes() {
        return bytes;
    }
}
