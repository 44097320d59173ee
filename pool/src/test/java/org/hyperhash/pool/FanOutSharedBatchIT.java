package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many miners per event loop through many new blocks, plaintext and Noise: on each block every loop's connections write
 * their frames one after the other into the loop's shared chunk (direct for plaintext, heap for Noise) and send their
 * own part of it (SharedBatch; with Noise, NoiseHandler seals the part). Each miner
 * must keep decoding whole frames with its own channel's jobs: a standard miner hashes the merkle root it was sent, so
 * a job of another channel or a shifted slice would show as rejected shares or a dropped connection.
 */
@Timeout(120)
class FanOutSharedBatchIT {
    @TempDir
    Path dir;

    private static final Duration T = Duration.ofSeconds(40);

    @ParameterizedTest
    @ValueSource(strings = {"plaintext", "noise"})
    void everyMinerGetsItsOwnFramesOnEveryBlock(String security) throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        List<FakeSv2Miner> miners = new ArrayList<>();
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(java.nio.file.Files.createDirectories(dir.resolve(security))), tp, "sv2.security=" + security)) {
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
            try {
                for (int i = 0; i < 32; i++) {
                    Kind kind = i % 4 == 3 ? Kind.EXTENDED : Kind.STANDARD;
                    miners.add(FakeSv2Miner.connect(h.miner(kind, PoolHarness.address(1 + i % 8) + ".r" + i)
                            .mining(500)).startMining());
                }
                // the blocks counted are the ones every miner was there for: on a loaded machine the last Noise
                // miners finish their handshakes after the first miners have found several blocks
                assertTrue(FakeSv2Miner.waitFor(() -> miners.stream().allMatch(m -> m.currentJob() != null), T),
                        "every miner has a job");
                long startHeight = tp.chain().height();
                assertTrue(FakeSv2Miner.waitFor(() -> tp.chain().height() >= startHeight + 12
                        && miners.stream().allMatch(m -> m.accepted() >= 2), T), () -> "height "
                        + (tp.chain().height() - startHeight) + " (tp accepted " + tp.accepted.size() + ", rejected "
                        + tp.rejected.size() + ") accepted " + miners.stream().map(FakeSv2Miner::accepted).toList());
                for (FakeSv2Miner m : miners) {
                    assertTrue(m.connected());
                    // its channel and its group (jobs for a group's channels name the group)
                    java.util.Set<Integer> own = new java.util.HashSet<>();
                    for (var msg : m.received()) {
                        switch (msg) {
                            case OpenStandardMiningChannelSuccess o -> own.addAll(List.of(o.channelId(), o.groupChannelId()));
                            case OpenExtendedMiningChannelSuccess o -> own.addAll(List.of(o.channelId(), o.groupChannelId()));
                            default -> { }
                        }
                    }
                    own.remove(0); // no group
                    assertEquals(m.currentJob().channelId() != 0, !own.isEmpty());
                    int jobs = 0;
                    for (var msg : m.received()) {
                        int id = switch (msg) {
                            case NewMiningJob j -> j.channelId();
                            case NewExtendedMiningJob j -> j.channelId();
                            case SetNewPrevHash p -> p.channelId();
                            default -> own.iterator().next();
                        };
                        assertTrue(own.contains(id), "a frame for another channel (own " + own + "): " + msg);
                        jobs += msg instanceof SetNewPrevHash ? 1 : 0;
                    }
                    assertTrue(jobs >= 5, "tips seen: " + jobs);
                    // the tip moves with every block: shares in flight for the previous tip are stale, nothing else
                    // every reject's code is stale-share (one snapshot of the codes: the miners keep mining, so comparing
                    // two counters read one after the other raced with a reject arriving in between)
                    java.util.Map<String, Long> codes = m.errorCounts();
                    codes.remove("stale-share");
                    assertEquals(java.util.Map.of(), codes, "only stale rejects");
                }
                assertTrue(tp.rejected.stream().allMatch("inconclusive"::equals), "invalid blocks: " + tp.rejected);
                assertEquals(miners.size(), h.pool.metrics().connections.get(), "no miner dropped");
            } finally {
                for (FakeSv2Miner m : miners) {
                    m.close();
                }
            }
        }
    }
}
