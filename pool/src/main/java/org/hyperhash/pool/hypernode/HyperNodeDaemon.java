package org.hyperhash.pool.hypernode;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.hyperhash.base.Bytes;
import org.hyperhash.daemon.Daemon;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.downstream.MiningServer;
import org.hyperhash.pool.upstream.TemplateSource;
import org.hyperhash.pool.work.JobDispatcher;
import org.hyperhash.sv2.channel.JobFactory;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;

/**
 * {@code hh jdc}: a Hyper Node. The pool engine ({@link PoolDaemon}: downstream SV2 miners on standard, extended and
 * group channels, limits, vardiff, local share accounting, admin endpoints) fed by the operator's own template
 * provider, with {@link HyperNode} deciding what its jobs pay and forwarding shares to the upstream pool. Metrics:
 * the engine's {@code hh_pool_*} (label service="jdc") and {@code hh_jdc_*}; /v1/status adds {@code hyper_node}.
 */
public final class HyperNodeDaemon implements Daemon {
    private final HyperNodeConfig config;
    private final PoolDaemon engine;
    private final InstantSource clock;
    private volatile HyperNode node;

    public HyperNodeDaemon(HyperNodeConfig config, InstantSource clock, TemplateSource templates,
            MiningServer.Security security) {
        this.config = config;
        this.clock = clock;
        this.engine = new PoolDaemon(config.pool(), clock, templates, security, security.description(), "jdc");
        engine.setExtension(new PoolDaemon.Extension() {
            @Override
            public void beforeTemplates(JobDispatcher dispatcher, TemplateSource source) {
                Bytes operator = config.pool().network().parse(config.pool().payout().address());
                HyperNode n = new HyperNode(config, new JobFactory(config.pool().payout().poolTag(), ""), operator,
                        dispatcher.fullExtranonceSize(), clock, engine.registry());
                node = n;
                n.start(dispatcher, source);
            }

            @Override
            public void onNewTemplate(NewTemplate t) {
                HyperNode n = node;
                if (n != null) {
                    n.onNewTemplate(t);
                }
            }

            @Override
            public void addStatus(Map<String, Object> status) {
                HyperNode n = node;
                status.put("hyper_node", n == null ? Map.of("mode", "starting") : n.status());
            }

            @Override
            public void onSetNewPrevHash(SetNewPrevHash p) {
                HyperNode n = node;
                if (n != null) {
                    n.onSetNewPrevHash(p);
                }
            }
        });
    }

    /** The production wiring: the downstream port's security from {@code sv2.*}. */
    public static HyperNodeDaemon fromConfig(HyperNodeConfig config, InstantSource clock, TemplateSource templates) {
        return new HyperNodeDaemon(config, clock, templates, MiningServer.Security.fromConfig(config.pool(), clock));
    }

    @Override
    public void start() throws Exception {
        engine.start();
    }

    @Override
    public boolean live() {
        return engine.live();
    }

    /** Ready when local miners get work (from a pool or solo: both are working states; /v1/status says which). */
    @Override
    public boolean ready() {
        return engine.ready();
    }

    @Override
    public Map<String, Boolean> readinessChecks() {
        return engine.readinessChecks();
    }

    @Override
    public Map<String, Object> status() {
        return engine.status(); // includes hyper_node (the engine's admin server serves it)
    }

    /** The upstream side (null before start). */
    public HyperNode hyperNode() {
        return node;
    }

    /** The local mining engine (downstream miners). */
    public PoolDaemon engine() {
        return engine;
    }

    public List<InetSocketAddress> sv2Addresses() {
        return engine.sv2Addresses();
    }

    public InetSocketAddress adminAddress() {
        return engine.adminAddress();
    }

    public HyperNodeConfig config() {
        return config;
    }

    @Override
    public void close() {
        HyperNode n = node;
        if (n != null) {
            n.close();
        }
        engine.close();
    }
}
