package org.hyperhash.testkit;

import io.netty.util.ResourceLeakDetector;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Netty leak detector used by every test JVM (selected with
 * {@code -Dio.netty.customResourceLeakDetector}). Instead of only logging, it records each leak so
 * that {@link LeakCheckExtension} can fail the build.
 */
public final class LeakFailingDetector<T> extends ResourceLeakDetector<T> {
    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    /** Netty probes this legacy signature first and logs an error when it is missing; maxActive is unused. */
    public LeakFailingDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    public LeakFailingDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add("LEAK: " + resourceType + " was not released" + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add("LEAK: " + resourceType + " was not released (untraced)");
        super.reportUntracedLeak(resourceType);
    }

    /** Returns and clears the leaks recorded so far. */
    public static List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String s; (s = LEAKS.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }
}
