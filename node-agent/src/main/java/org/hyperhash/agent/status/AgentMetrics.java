package org.hyperhash.agent.status;

import org.hyperhash.agent.manifest.Reason;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The agent's meters, rendered by hand in the Prometheus text format (JDK only). All label sets are bounded:
 * results, refusal reasons, rollback triggers, configured units, fixed reachability targets.
 */
public final class AgentMetrics {
    /** Check outcomes (label {@code result} of {@code hh_agent_checks_total}). */
    public static final List<String> RESULTS = List.of("updated", "up_to_date", "skipped", "refused", "failed", "rolled_back");
    /** Rollback triggers. */
    public static final List<String> TRIGGERS = List.of("health", "manual", "recovery");

    private final Map<String, LongAdder> checks = new LinkedHashMap<>();
    private final Map<Reason, LongAdder> refusals = new EnumMap<>(Reason.class);
    private final Map<String, LongAdder> rollbacks = new LinkedHashMap<>();
    /** Ledger backups before migrating upgrades, and restores on rollbacks across a contract migration, by result. */
    private final Map<String, LongAdder> ledgerBackups = new LinkedHashMap<>();
    private final Map<String, LongAdder> ledgerRestores = new LinkedHashMap<>();
    private final LongAdder upgradesCommitted = new LongAdder();
    private final LongAdder rootRotations = new LongAdder();
    private final LongAdder crashRecoveries = new LongAdder();
    private final LongAdder downloadBytes = new LongAdder();
    private final LongAdder registrations = new LongAdder();
    private final LongAdder registrationFailures = new LongAdder();
    private final AtomicLong installedVersion = new AtomicLong();
    private final AtomicLong trustedRootVersion = new AtomicLong();
    private final AtomicLong trustedManifestVersion = new AtomicLong();
    private final AtomicLong lastCheckEpochSeconds = new AtomicLong();
    private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();
    private final AtomicLong registered = new AtomicLong();
    private final Map<String, AtomicLong> unitActive = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> reachable = new ConcurrentHashMap<>();
    private final String agentVersion;

    public AgentMetrics(String agentVersion) {
        this.agentVersion = agentVersion.replaceAll("[^A-Za-z0-9._+-]", "_");
        RESULTS.forEach(r -> checks.put(r, new LongAdder()));
        for (Reason r : Reason.values()) {
            refusals.put(r, new LongAdder());
        }
        TRIGGERS.forEach(t -> rollbacks.put(t, new LongAdder()));
        for (String r : List.of("ok", "failed")) {
            ledgerBackups.put(r, new LongAdder());
            ledgerRestores.put(r, new LongAdder());
        }
    }

    public void ledgerBackup(boolean ok) {
        ledgerBackups.get(ok ? "ok" : "failed").increment();
    }

    public void ledgerRestore(boolean ok) {
        ledgerRestores.get(ok ? "ok" : "failed").increment();
    }

    public long ledgerBackups(String result) {
        return ledgerBackups.get(result).sum();
    }

    public long ledgerRestores(String result) {
        return ledgerRestores.get(result).sum();
    }

    public void check(String result) {
        LongAdder a = checks.get(result);
        if (a == null) {
            throw new IllegalArgumentException("unknown check result " + result);
        }
        a.increment();
    }

    public void refused(Reason reason) {
        refusals.get(reason).increment();
    }

    public long refusals(Reason reason) {
        return refusals.get(reason).sum();
    }

    public long checks(String result) {
        return checks.get(result).sum();
    }

    public void rollback(String trigger) {
        rollbacks.get(trigger).increment();
    }

    public long rollbacks(String trigger) {
        return rollbacks.get(trigger).sum();
    }

    public void committed() {
        upgradesCommitted.increment();
    }

    public void rootRotated() {
        rootRotations.increment();
    }

    public void crashRecovered() {
        crashRecoveries.increment();
    }

    public long crashRecoveries() {
        return crashRecoveries.sum();
    }

    public void downloaded(long bytes) {
        downloadBytes.add(bytes);
    }

    public void registration(boolean ok) {
        (ok ? registrations : registrationFailures).increment();
    }

    public void installedVersion(long v) {
        installedVersion.set(v);
    }

    public void trustedRootVersion(long v) {
        trustedRootVersion.set(v);
    }

    public void trustedManifestVersion(long v) {
        trustedManifestVersion.set(v);
    }

    public void lastCheck(long epochSeconds, boolean success) {
        lastCheckEpochSeconds.set(epochSeconds);
        if (success) {
            lastSuccessEpochSeconds.set(epochSeconds);
        }
    }

    public void registered(boolean yes) {
        registered.set(yes ? 1 : 0);
    }

    /** Only for configured units (bounded). */
    public void unitActive(String unit, boolean active) {
        unitActive.computeIfAbsent(unit, u -> new AtomicLong()).set(active ? 1 : 0);
    }

    /** target is "bitcoind" or "lnd". */
    public void reachable(String target, boolean up) {
        reachable.computeIfAbsent(target, u -> new AtomicLong()).set(up ? 1 : 0);
    }

    /** Prometheus text exposition format 0.0.4. */
    public String render() {
        StringBuilder sb = new StringBuilder(4096);
        header(sb, "hh_agent_build_info", "gauge", "Agent build (value 1)");
        sb.append("hh_agent_build_info{version=\"").append(agentVersion).append("\"} 1\n");
        header(sb, "hh_agent_checks_total", "counter", "Release checks by result");
        checks.forEach((k, v) -> sb.append("hh_agent_checks_total{result=\"").append(k).append("\"} ").append(v.sum()).append('\n'));
        header(sb, "hh_agent_refusals_total", "counter", "Manifests, roots or artifacts refused, by reason");
        refusals.forEach((k, v) -> sb.append("hh_agent_refusals_total{reason=\"").append(k.label()).append("\"} ").append(v.sum()).append('\n'));
        header(sb, "hh_agent_rollbacks_total", "counter", "Rollbacks by trigger");
        rollbacks.forEach((k, v) -> sb.append("hh_agent_rollbacks_total{trigger=\"").append(k).append("\"} ").append(v.sum()).append('\n'));
        header(sb, "hh_agent_ledger_backups_total", "counter", "Ledger backups taken before upgrades that migrate the ledger, by result");
        ledgerBackups.forEach((k, v) -> sb.append("hh_agent_ledger_backups_total{result=\"").append(k).append("\"} ").append(v.sum()).append('\n'));
        header(sb, "hh_agent_ledger_restores_total", "counter", "Ledger restores on rollbacks across a contract migration, by result");
        ledgerRestores.forEach((k, v) -> sb.append("hh_agent_ledger_restores_total{result=\"").append(k).append("\"} ").append(v.sum()).append('\n'));
        counter(sb, "hh_agent_upgrades_committed_total", "Upgrades committed after passing health checks", upgradesCommitted.sum());
        counter(sb, "hh_agent_root_rotations_total", "Root key rotations accepted", rootRotations.sum());
        counter(sb, "hh_agent_crash_recoveries_total", "Interrupted installs repaired at start", crashRecoveries.sum());
        counter(sb, "hh_agent_download_bytes_total", "Artifact bytes downloaded", downloadBytes.sum());
        counter(sb, "hh_agent_registrations_total", "Successful registrations with the core", registrations.sum());
        counter(sb, "hh_agent_registration_failures_total", "Failed registration attempts", registrationFailures.sum());
        gauge(sb, "hh_agent_installed_version", "Manifest version of the release in service (0: installed outside the agent)", installedVersion.get());
        gauge(sb, "hh_agent_trusted_root_version", "Version of the trusted root", trustedRootVersion.get());
        gauge(sb, "hh_agent_trusted_manifest_version", "Highest release version verified", trustedManifestVersion.get());
        gauge(sb, "hh_agent_last_check_timestamp_seconds", "Unix time of the last check", lastCheckEpochSeconds.get());
        gauge(sb, "hh_agent_last_success_timestamp_seconds", "Unix time of the last check that did not fail", lastSuccessEpochSeconds.get());
        gauge(sb, "hh_agent_registered", "1 when the core's acknowledgement is stored and valid", registered.get());
        header(sb, "hh_agent_unit_active", "gauge", "1 when the unit's ActiveState is active");
        new java.util.TreeMap<>(unitActive).forEach((k, v) -> sb.append("hh_agent_unit_active{unit=\"").append(k).append("\"} ").append(v.get()).append('\n'));
        header(sb, "hh_agent_dependency_reachable", "gauge", "1 when a TCP connection to the dependency succeeds");
        new java.util.TreeMap<>(reachable).forEach((k, v) -> sb.append("hh_agent_dependency_reachable{target=\"").append(k).append("\"} ").append(v.get()).append('\n'));
        return sb.toString();
    }

    private static void header(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder sb, String name, String help, long v) {
        header(sb, name, "counter", help);
        sb.append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, long v) {
        header(sb, name, "gauge", help);
        sb.append(name).append(' ').append(v).append('\n');
    }
}
