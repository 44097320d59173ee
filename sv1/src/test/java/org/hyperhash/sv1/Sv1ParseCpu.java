package org.hyperhash.sv1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;


/**
 * CPU per request line (thread CPU time, so a busy machine does not inflate it): the decoder's old path (UTF-8 String,
 * isBlank, Jackson {@link Sv1Json#parse}) against {@link Sv1FastRequest} on a pooled direct buffer, alternating, 200,000
 * lines a side per round. Run: {@code java -cp sv1/target/test-classes:sv1/target/classes:<deps> org.hyperhash.sv1.Sv1ParseCpu}.
 */
public final class Sv1ParseCpu {
    private Sv1ParseCpu() {
    }

    public static void main(String[] a) throws Exception {
        String line = "{\"id\":4711,\"method\":\"mining.submit\",\"params\":[\"bcrt1qbench.m123\",\"1a\",\"01000000\",\"680be961\",\"2d1f0a33\"]}";
        byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(256).writeBytes(bytes);
        var mx = ManagementFactory.getThreadMXBean();
        int n = 200_000;
        long sink = 0;
        for (int round = 0; round < 8; round++) {
            long t0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) { // what the decoder did before: UTF-8 String + isBlank + Jackson
                String s = buf.toString(StandardCharsets.UTF_8);
                if (!s.isBlank()) sink += ((Sv1Message.Request) Sv1Json.parse(s)).params().size();
            }
            long t1 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += Sv1FastRequest.parse(buf).params().size();
            }
            long t2 = mx.getCurrentThreadCpuTime();
            if (round >= 3) System.out.printf("round %d: Jackson path %.0f ns, hand parser %.0f ns CPU per line (%.2fx)%n", round,
                    (t1 - t0) / (double) n, (t2 - t1) / (double) n, (t2 - t1) / (double) (t1 - t0));
        }
        System.out.println(sink);
    }
}
