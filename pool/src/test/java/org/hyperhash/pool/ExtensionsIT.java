package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.hyperhash.base.Bytes;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.message.Tlv;
import org.hyperhash.sv2.message.extensions.RequestExtensions;
import org.hyperhash.sv2.message.extensions.RequestExtensionsSuccess;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients of today's SRI: RequestExtensions is answered (it used to close the connection and count towards a
 * ban), extension 0x0002's user_identity TLV credits the named worker, unexpected TLVs are ignored, and a
 * user_identity that is not UTF-8 gets invalid-user-identity on an open connection.
 */
@Timeout(120)
class ExtensionsIT {
    private static final Duration T = Duration.ofSeconds(20);
    @TempDir
    Path dir;

    static Tlv worker(String name) {
        return new Tlv(0x0002, 0x01, Bytes.wrap(name.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void requestExtensionsThenWorkerTaggedSharesAreCreditedPerWorker() throws Exception {
        String addr = PoolHarness.address(90);
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), new DevnetTemplateSource());
             FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, addr + ".proxy").mining(1000))) {
            m.send(new RequestExtensions(9, List.of(0x0002, 0x4abc)));
            RequestExtensionsSuccess ok = m.await(RequestExtensionsSuccess.class, x -> true, T);
            assertEquals(new RequestExtensionsSuccess(9, List.of(0x0002)), ok);
            m.tagShares(List.of(worker("rig-7"), new Tlv(0x4abc, 1, Bytes.of(new byte[3])))).startMining();
            assertTrue(FakeSv2Miner.waitFor(() -> m.accepted() >= 3, T));
            assertTrue(m.connected());
            Map<String, Object> d = h.pool.stats().describe(addr);
            Map<String, Object> workers = (Map<String, Object>) d.get("workers");
            assertTrue(workers.containsKey("rig-7"), d.toString());
            assertTrue(h.pool.metrics().tlvIgnored.count() >= 3, "the unknown TLV is ignored, not fatal");
            assertEquals(0.0, h.pool.metrics().bans.count());
            assertTrue(h.pool.metrics().handshakes.count() >= 1);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutNegotiationAnOversizedWorkerTlvIsIgnored() throws Exception {
        String addr = PoolHarness.address(91);
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), new DevnetTemplateSource());
             FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, addr + ".main").mining(1000))) {
            m.tagShares(List.of(worker("x".repeat(40)))).startMining();
            assertTrue(FakeSv2Miner.waitFor(() -> m.accepted() >= 3, T));
            assertTrue(m.connected());
            Map<String, Object> workers = (Map<String, Object>) h.pool.stats().describe(addr).get("workers");
            assertEquals(List.of("main"), List.copyOf(workers.keySet()));
        }
    }

    @Test
    void nonUtf8UserIdentityGetsInvalidUserIdentityAndTheConnectionStays() throws Exception {
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), new DevnetTemplateSource());
             FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(92) + ".ok"))) {
            assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T));
            ByteBuf p = Unpooled.buffer();
            p.writeIntLE(77); // request_id
            p.writeByte(3).writeByte('a').writeByte(0xc3).writeByte(0x28); // user_identity: not UTF-8
            p.writeIntLE(Float.floatToIntBits(1e9f)).writeBytes(new byte[31]).writeByte(0xff); // hashrate, max_target
            ByteBuf f = Unpooled.buffer();
            f.writeShortLE(0).writeByte(0x10).writeMediumLE(p.readableBytes()).writeBytes(p);
            m.sendRaw(ByteBufUtil.getBytes(f));
            OpenMiningChannelError e = m.await(OpenMiningChannelError.class, x -> x.requestId() == 77, T);
            assertNotNull(e);
            assertEquals("invalid-user-identity", e.errorCode());
            assertTrue(m.connected());
            assertEquals(1.0, h.pool.metrics().nonUtf8Messages.count());
            assertNull(m.transportError());
        }
    }

    @Test
    void aConnectionThatNeverCompletesSetupCountsAsAHandshakeFailure() throws Exception {
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), new DevnetTemplateSource())) {
            double before = h.pool.metrics().handshakeFailures.count();
            try (java.net.Socket s = new java.net.Socket(h.sv2().getAddress(), h.sv2().getPort())) {
                s.getOutputStream().write(new byte[] {1, 2, 3});
            }
            assertTrue(FakeSv2Miner.waitFor(() -> h.pool.metrics().handshakeFailures.count() > before, T));
            assertTrue(h.pool.metrics().handshakes.count() >= 1);
        }
    }
}
