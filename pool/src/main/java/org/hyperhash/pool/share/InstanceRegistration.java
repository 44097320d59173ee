package org.hyperhash.pool.share;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.ledger.Dialect;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a pool instance id unique among the live pools of one ledger (issue 17): the pool holds the ledger lease
 * {@code pool-instance:<id>} while it runs, renewing it every third of its duration. Two live pools with one id
 * would share an extranonce prefix (duplicate work) and merge their share rows, so the second refuses to start;
 * a crashed pool's id is free again once its lease expires.
 */
public final class InstanceRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceRegistration.class);

    private final Lease lease;
    private final int instanceId;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile boolean registered = true;
    private final Thread heartbeat;

    private InstanceRegistration(Lease lease, int instanceId) {
        this.lease = lease;
        this.instanceId = instanceId;
        this.heartbeat = Thread.ofVirtual().name("pool-instance-heartbeat").start(this::run);
    }

    public static String leaseName(int instanceId) {
        return "pool-instance:" + instanceId;
    }

    /**
     * Takes the instance id or refuses with an error naming the live holder and the fix.
     *
     * @param holder unique for this process start
     * @param info   shown to a pool refused because of this one (host, version, listen address)
     */
    public static InstanceRegistration register(LedgerDatabase ledger, int instanceId, Duration leaseDuration, String holder, String info) {
        Lease lease = new Lease(ledger, leaseName(instanceId), holder, info, leaseDuration);
        if (!lease.renewOrAcquire()) {
            String who;
            try {
                who = lease.current().map(h -> "'" + h.info() + "' (" + h.holder() + "), whose registration expires in "
                        + Math.max(1, (h.expiresInMs() + 999) / 1000) + " s").orElse("another pool");
            } catch (RuntimeException e) {
                who = "another pool (" + e.getMessage() + ")";
            }
            lease.close();
            String why = lease.lastError().isEmpty() ? "instance-id " + instanceId + " is in use on ledger " + ledger.displayUrl() + " by " + who
                    + ". Give this pool another instance-id (0..255; it is also the leading extranonce byte), or, if that pool crashed, "
                    + "start this one after its registration expired (ledger.instance-lease)"
                    : "cannot register instance-id " + instanceId + " on ledger " + ledger.displayUrl() + ": " + lease.lastError();
            throw new DaemonConfig.ConfigError(why);
        }
        if (ledger.dialect() == Dialect.SQLITE) {
            LOG.info("instance-id {} registered in the SQLite ledger (a file ledger serves the pools of one host only)", instanceId);
        } else {
            LOG.info("instance-id {} registered in the ledger (lease token {}, renewed every {} ms)", instanceId, lease.token(),
                    leaseDuration.toMillis() / 3);
        }
        return new InstanceRegistration(lease, instanceId);
    }

    private void run() {
        long every = Math.max(50, lease.ttl().toMillis() / 3);
        while (running.get()) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            if (!running.get()) {
                return;
            }
            boolean now = lease.renewOrAcquire();
            if (!now && registered) {
                LOG.error("instance-id {}: registration in the ledger lost ({}); if another pool now runs with this id, stop one of them: "
                        + "they share an extranonce prefix and share rows", instanceId,
                        lease.lastError().isEmpty() ? "taken over by " + lease.current().map(Lease.Holder::info).orElse("?") : lease.lastError());
            } else if (now && !registered) {
                LOG.info("instance-id {}: registration in the ledger renewed again (token {})", instanceId, lease.token());
            }
            registered = now;
        }
    }

    /** True while this pool holds its instance id (for readiness: an unregistered pool should get no new miners). */
    public boolean registered() {
        return registered && lease.held();
    }

    public Lease lease() {
        return lease;
    }

    /** Stops the heartbeat and frees the id at once (clean shutdown), so a replacement can start without waiting. */
    @Override
    public void close() {
        running.set(false);
        heartbeat.interrupt();
        try {
            heartbeat.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lease.release();
        lease.close();
    }
}
