package org.hyperhash.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * Auto-registered (META-INF/services + junit-platform.properties) for every test class: after the
 * class has run, forces a GC, lets Netty's detector poll its reference queue, and fails the class
 * if any ByteBuf leaked. Leaks reported late are still caught by the next class in the same JVM.
 */
public final class LeakCheckExtension implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            // allocations make the detector poll its reference queue and report
            ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer(1);
            a.release();
            ByteBuf b = UnpooledByteBufAllocator.DEFAULT.buffer(1);
            b.release();
        }
        List<String> leaks = LeakFailingDetector.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty ByteBuf leak(s) detected after " + context.getDisplayName()
                    + ":\n" + String.join("\n", leaks));
        }
    }
}
