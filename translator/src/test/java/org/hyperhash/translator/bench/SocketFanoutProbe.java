package org.hyperhash.translator.bench;

import org.hyperhash.base.Bytes;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.hyperhash.translator.TranslatorDaemon;
import org.hyperhash.translator.TranslatorConfig;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Manual probe over real loopback sockets (not a test): N SV1 miners on one translator, a fake pool
 * announces new blocks, we measure when each miner has the new notify. Usage: {@code BridgeProbe}'s
 * classpath, main class {@code org.hyperhash.translator.bench.SocketFanoutProbe [miners]}.
 */
public final class SocketFanoutProbe {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Class<?> poolClass = Class.forName("org.hyperhash.translator.FakeSv2Pool");
        var ctor = poolClass.getDeclaredConstructor(Bytes.class, double.class, int.class);
        ctor.setAccessible(true);
        Object pool = ctor.newInstance(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        Method start = poolClass.getDeclaredMethod("start", int.class);
        start.setAccessible(true);
        start.invoke(pool, 0);
        Method port = poolClass.getDeclaredMethod("port");
        port.setAccessible(true);
        Method newBlock = poolClass.getDeclaredMethod("newBlock");
        newBlock.setAccessible(true);
        Method config = Class.forName("org.hyperhash.translator.Harness").getDeclaredMethod("config", double.class,
                Duration.class, int[].class);
        config.setAccessible(true);
        TranslatorConfig cfg = (TranslatorConfig) config.invoke(null, 1e-5, Duration.ofSeconds(30),
                new int[] {(int) port.invoke(pool)});
        Runtime rt = Runtime.getRuntime();
        try (TranslatorDaemon t = new TranslatorDaemon(cfg, InstantSource.system(), false)) {
            t.start();
            while (!t.ready()) {
                Thread.sleep(10);
            }
            System.gc();
            long heap0 = rt.totalMemory() - rt.freeMemory();
            List<FakeSv1Miner> miners = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                FakeSv1Miner m = FakeSv1Miner.connect(t.sv1Address(), FirmwareProfile.CGMINER);
                m.handshake("bcrt1qprobe.w" + i);
                miners.add(m);
            }
            for (FakeSv1Miner m : miners) {
                m.awaitJob(Duration.ofSeconds(10));
            }
            System.gc();
            long heap1 = rt.totalMemory() - rt.freeMemory();
            List<Long> all = new ArrayList<>();
            for (int b = 0; b < 20; b++) {
                long t0 = System.nanoTime();
                newBlock.invoke(pool);
                for (FakeSv1Miner m : miners) {
                    while (m.jobReceivedNanos() < t0) {
                        Thread.onSpinWait();
                    }
                }
                if (b >= 5) { // skip warm-up
                    for (FakeSv1Miner m : miners) {
                        all.add(m.jobReceivedNanos() - t0);
                    }
                }
                Thread.sleep(100);
            }
            long[] a = all.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("miners=%d notify latency (pool newBlock -> miner has job) p50=%.2f ms p99=%.2f ms max=%.2f ms;"
                    + " heap per miner (translator + in-process test clients) ~%d B%n", n, a[a.length / 2] / 1e6,
                    a[a.length * 99 / 100] / 1e6, a[a.length - 1] / 1e6, (heap1 - heap0) / n);
            for (FakeSv1Miner m : miners) {
                m.close();
            }
        }
        Method close = poolClass.getDeclaredMethod("close");
        close.setAccessible(true);
        close.invoke(pool);
    }
}
