package org.hyperhash.testkit;

import java.lang.ref.WeakReference;

/** Forces garbage collections a test can rely on: returns only once a weakly held object was collected. */
public final class Gc {
    private Gc() {
    }

    /**
     * Runs {@link System#gc()} until an object reachable only through a weak reference is gone, twice (so
     * objects weakly held by meters, listeners and caches are cleared too). Fails after 100 attempts.
     */
    public static void force() {
        for (int round = 0; round < 2; round++) {
            WeakReference<Object> sentinel = new WeakReference<>(new Object());
            int attempts = 0;
            while (sentinel.get() != null) {
                if (++attempts > 100) {
                    throw new AssertionError("System.gc() did not clear a weak reference in 100 attempts");
                }
                System.gc();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while forcing a GC", e);
                }
            }
        }
    }
}
