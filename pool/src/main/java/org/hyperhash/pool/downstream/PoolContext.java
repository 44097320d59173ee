package org.hyperhash.pool.downstream;

import java.time.InstantSource;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.identity.UserIdentityParser;
import org.hyperhash.pool.share.MinerStats;
import org.hyperhash.pool.upstream.BitcoindBlockSubmitter;
import org.hyperhash.pool.share.ShareLog;
import org.hyperhash.pool.upstream.TemplateSource;
import org.hyperhash.pool.work.JobDispatcher;
import org.hyperhash.sv2.channel.ChannelConfig;
import org.hyperhash.sv2.channel.ExtranonceAllocator;
import org.hyperhash.sv2.channel.VardiffConfig;

/**
 * What every miner connection shares (all thread-safe).
 *
 * @param config pool configuration
 * @param channelConfig channel policy
 * @param vardiff vardiff policy, null = disabled
 * @param allocator extranonce prefixes
 * @param identities user identity parser
 * @param dispatcher current work
 * @param upstream template source (block submission)
 * @param shareLog accounting
 * @param stats per-address statistics
 * @param guard limits and bans
 * @param metrics meters
 * @param clock time
 * @param blockSubmitter direct submitblock fallback, or null when not configured
 * @param jds the job declarator whose tokens SetCustomMiningJob must carry, or null when custom work is off
 */
public record PoolContext(PoolConfig config, ChannelConfig channelConfig, VardiffConfig vardiff,
        ExtranonceAllocator allocator, UserIdentityParser identities, JobDispatcher dispatcher, TemplateSource upstream,
        ShareLog shareLog, MinerStats stats, AbuseGuard guard, PoolMetrics metrics, InstantSource clock,
        BitcoindBlockSubmitter blockSubmitter, org.hyperhash.pool.jds.JobDeclarator jds) {

    /** Without a job declarator (custom work refused). */
    public PoolContext(PoolConfig config, ChannelConfig channelConfig, VardiffConfig vardiff,
            ExtranonceAllocator allocator, UserIdentityParser identities, JobDispatcher dispatcher, TemplateSource upstream,
            ShareLog shareLog, MinerStats stats, AbuseGuard guard, PoolMetrics metrics, InstantSource clock,
            BitcoindBlockSubmitter blockSubmitter) {
        this(config, channelConfig, vardiff, allocator, identities, dispatcher, upstream, shareLog, stats, guard, metrics,
                clock, blockSubmitter, null);
    }
}
