package org.hyperhash.agent;

import org.hyperhash.agent.fetch.HttpFetcher;
import org.hyperhash.agent.health.HealthChecker;
import org.hyperhash.agent.install.AgentLock;
import org.hyperhash.agent.install.AgentState;
import org.hyperhash.agent.install.AgentState.InstalledRelease;
import org.hyperhash.agent.install.AgentState.LastCheck;
import org.hyperhash.agent.install.AgentState.Pending;
import org.hyperhash.agent.install.AgentState.Phase;
import org.hyperhash.agent.install.CrashPoints;
import org.hyperhash.agent.install.Installer;
import org.hyperhash.agent.install.LedgerGuard;
import org.hyperhash.agent.install.StateStore;
import org.hyperhash.agent.manifest.Artifact;
import org.hyperhash.agent.manifest.Reason;
import org.hyperhash.agent.manifest.RefusedException;
import org.hyperhash.agent.manifest.Release;
import org.hyperhash.agent.manifest.Root;
import org.hyperhash.agent.manifest.Signed;
import org.hyperhash.agent.manifest.Verifier;
import org.hyperhash.agent.status.AgentMetrics;
import org.hyperhash.agent.systemd.Systemctl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The update engine: verify (root rotation, threshold, expiry, version), download (streamed, capped,
 * resumable, hashed), install (stage, atomic {@code current} switch, restart, health gate, commit or roll
 * back), manual rollback, and the start-up repair of an interrupted transaction. Every transition is
 * journalled in {@code state.json} before it happens (write-ahead), so {@link #repair()} can always return
 * the node to its last committed release.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.hyperhash.agent");
    /** Cap on manifests and roots. */
    public static final int MAX_METADATA_BYTES = 1 << 20;
    private static final int MAX_ROTATIONS_PER_CHECK = 64;
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    /** Result of one check. */
    public sealed interface CheckResult {
        /** The installed version is the newest. */
        record UpToDate(long version) implements CheckResult {
        }

        /** A newer, valid release exists but already failed here. */
        record Skipped(long version, String why) implements CheckResult {
        }

        /** Installed, healthy and committed. */
        record Updated(long fromVersion, long toVersion) implements CheckResult {
        }

        /** Verification refused the manifest, a root or an artifact. */
        record Refused(Reason reason, String detail) implements CheckResult {
        }

        /** Installed, failed its health gate (or restart), and the previous release was restored. */
        record RolledBack(long failedVersion, long restoredVersion, String detail) implements CheckResult {
        }

        /** Could not check (network, disk, configuration); nothing was changed. */
        record Failed(String detail) implements CheckResult {
        }
    }

    private final AgentConfig cfg;
    private final Systemctl systemctl;
    private final InstantSource clock;
    private final CrashPoints crash;
    private final AgentMetrics metrics;
    private final StateStore store;
    private final Installer installer;
    private final HealthChecker health;
    private final HttpFetcher fetcher;
    private final LedgerGuard ledger;

    public Agent(AgentConfig cfg, Systemctl systemctl, InstantSource clock, CrashPoints crash, AgentMetrics metrics) throws IOException {
        this.cfg = cfg;
        this.systemctl = systemctl;
        this.clock = clock;
        this.crash = crash;
        this.metrics = metrics;
        this.store = new StateStore(cfg.stateDir());
        this.installer = new Installer(cfg.releasesDir(), cfg.currentLink(), cfg.maxArtifactBytes());
        this.health = new HealthChecker(systemctl, cfg.adminUrls(), cfg.healthInterval());
        this.fetcher = new HttpFetcher(cfg.caFile(), Duration.ofSeconds(10), cfg.httpTimeout(), cfg.httpReadTimeout(),
                cfg.downloadTimeout());
        this.ledger = new LedgerGuard(cfg.ledgerBackupCommand(), cfg.ledgerRestoreCommand(), cfg.ledgerBackupDir(),
                cfg.ledgerCommandTimeout());
    }

    public AgentConfig config() {
        return cfg;
    }

    public AgentMetrics metrics() {
        return metrics;
    }

    public HttpFetcher fetcher() {
        return fetcher;
    }

    public HealthChecker health() {
        return health;
    }

    /** The journal as last written (no lock: the file is replaced atomically). */
    public AgentState state() throws IOException {
        return store.load();
    }

    /** Repairs an interrupted install or rollback (see class comment); returns the repaired state. */
    public AgentState repair() throws IOException {
        try (AgentLock _ = AgentLock.acquire(cfg.stateDir(), LOCK_WAIT)) {
            return repairLocked();
        }
    }

    /** One check now: verify, and install when a newer valid release exists. Never throws for remote problems. */
    public CheckResult checkOnce() {
        CheckResult r;
        try (AgentLock _ = AgentLock.acquire(cfg.stateDir(), LOCK_WAIT)) {
            AgentState s = repairLocked();
            r = check(s);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "release check failed: " + e.getMessage());
            r = new CheckResult.Failed(String.valueOf(e.getMessage()));
            recordQuietly(r);
        }
        return r;
    }

    /** Manual rollback to the previous committed release (the current one is marked failed). */
    public CheckResult rollback() throws IOException {
        try (AgentLock _ = AgentLock.acquire(cfg.stateDir(), LOCK_WAIT)) {
            AgentState s = repairLocked();
            if (s.committed() == null || s.history().isEmpty()) {
                throw new IOException("nothing to roll back to: no previous release is recorded");
            }
            InstalledRelease bad = s.committed();
            InstalledRelease good = s.history().getFirst();
            LOG.log(System.Logger.Level.WARNING, "manual rollback from " + describe(bad) + " to " + describe(good));
            s = rollbackLocked(s, bad, good, cfg.units(), "manual rollback", "manual");
            CheckResult r = new CheckResult.RolledBack(bad.version(), good.version(), "manual rollback");
            record(s, r);
            return r;
        }
    }

    private CheckResult check(AgentState s) throws IOException {
        if (cfg.manifestUrl() == null) {
            CheckResult r = new CheckResult.Failed("manifest.url is not configured");
            record(s, r);
            return r;
        }
        try {
            Root root = trustedRoot();
            byte[] raw = fetcher.fetch(cfg.manifestUrl(), MAX_METADATA_BYTES);
            Signed doc = Signed.parse(raw);
            long installed = s.committed() == null ? 0 : s.committed().version();
            Release rel = Verifier.release(doc, root, cfg.manifestUrl(), clock.instant(),
                    Math.max(installed, s.trustedManifestVersion()));
            if (rel.version() > s.trustedManifestVersion()) {
                s = s.withTrustedManifestVersion(rel.version());
                store.save(s);
            }
            metrics.trustedManifestVersion(s.trustedManifestVersion());
            if (rel.version() == installed) {
                return record(s, new CheckResult.UpToDate(installed));
            }
            if (s.failedVersions().contains(rel.version())) {
                return record(s, new CheckResult.Skipped(rel.version(), "release v" + rel.version()
                        + " failed or was rolled back on this node; waiting for a newer release"));
            }
            LOG.log(System.Logger.Level.INFO, "release v" + rel.version() + " (" + rel.release() + ") verified: "
                    + rel.artifacts().size() + " artifact(s); installed is v" + installed);
            Map<String, Path> downloads = download(rel, s);
            crash.reach(CrashPoints.DOWNLOADED);
            CheckResult r = install(s, rel, raw, downloads);
            return record(store.load(), r);
        } catch (RefusedException e) {
            LOG.log(System.Logger.Level.WARNING, "REFUSED (" + e.reason().label() + "): " + e.getMessage());
            metrics.refused(e.reason());
            return record(store.load(), new CheckResult.Refused(e.reason(), e.getMessage()));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "release check failed: " + e.getMessage());
            return record(store.load(), new CheckResult.Failed(String.valueOf(e.getMessage())));
        }
    }

    /** Loads (or bootstraps) the trusted root and follows rotations published at {@code roots.url}. */
    Root trustedRoot() throws IOException, RefusedException {
        Path rootFile = cfg.stateDir().resolve("root.json");
        Root root;
        if (!Files.exists(rootFile)) {
            if (!Files.exists(cfg.trustRootFile())) {
                throw new IOException("no trusted root: " + cfg.trustRootFile() + " (trust.root-file) does not exist");
            }
            byte[] b = Files.readAllBytes(cfg.trustRootFile());
            root = Verifier.selfSignedRoot(Signed.parse(b));
            StateStore.writeAtomically(rootFile, b);
            LOG.log(System.Logger.Level.INFO, "pinned root v" + root.version() + " from " + cfg.trustRootFile()
                    + " (threshold " + root.threshold() + " of " + root.keys().size() + ")");
        } else {
            root = Root.of(Signed.parse(Files.readAllBytes(rootFile)));
        }
        if (cfg.rootsUrl() != null) {
            for (int i = 0; i < MAX_ROTATIONS_PER_CHECK; i++) {
                Optional<byte[]> next = fetcher.fetchOptional(cfg.rootsUrl().resolve((root.version() + 1) + ".json"),
                        MAX_METADATA_BYTES);
                if (next.isEmpty()) {
                    break;
                }
                Root r = Verifier.rotate(root, Signed.parse(next.get()));
                StateStore.writeAtomically(rootFile, next.get());
                metrics.rootRotated();
                LOG.log(System.Logger.Level.INFO, "root rotated to v" + r.version() + " (threshold " + r.threshold()
                        + " of " + r.keys().size() + "), signed by the keys of v" + root.version());
                root = r;
            }
        }
        metrics.trustedRootVersion(root.version());
        return root;
    }

    private Map<String, Path> download(Release rel, AgentState s) throws IOException, RefusedException {
        Path base = cfg.stateDir().resolve("downloads");
        Path dir = base.resolve(Long.toString(rel.version()));
        Files.createDirectories(dir);
        deleteOtherDownloads(base, dir);
        Map<String, String> known = knownHashes(rel, s);
        Map<String, Path> out = new LinkedHashMap<>();
        for (int i = 0; i < rel.artifacts().size(); i++) {
            Artifact a = rel.artifacts().get(i);
            if (a.length() > cfg.maxArtifactBytes()) {
                throw new RefusedException(Reason.WRONG_LENGTH, "artifact " + a.name() + " is " + a.length()
                        + " bytes, above download.max-bytes " + cfg.maxArtifactBytes());
            }
            Path part = dir.resolve(i + ".part");
            fetcher.download(a.url(), part, a.length(), metrics::downloaded);
            String got = sha256(part);
            if (!got.equals(a.sha256Hex())) {
                Files.deleteIfExists(part);
                String other = known.get(got);
                if (other != null && !other.equals("artifact " + a.name() + " of this release")) {
                    throw new RefusedException(Reason.MIX_AND_MATCH, "artifact " + a.name() + " of release v" + rel.version()
                            + " has the content of " + other + " (mix-and-match)");
                }
                throw new RefusedException(Reason.TAMPERED_ARTIFACT, "artifact " + a.name() + " of release v" + rel.version()
                        + ": SHA-256 " + got + " does not match the signed " + a.sha256Hex());
            }
            out.put(a.name(), part);
        }
        return out;
    }

    private static Map<String, String> knownHashes(Release rel, AgentState s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Artifact a : rel.artifacts()) {
            m.putIfAbsent(a.sha256Hex(), "artifact " + a.name() + " of this release");
        }
        List<InstalledRelease> all = new ArrayList<>(s.history());
        if (s.committed() != null) {
            all.addFirst(s.committed());
        }
        for (InstalledRelease r : all) {
            r.artifactSha256().forEach((name, sha) -> m.putIfAbsent(sha, "artifact " + name + " of release v" + r.version()));
        }
        return m;
    }

    private static void deleteOtherDownloads(Path base, Path keep) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(base)) {
            for (Path p : ds) {
                if (!p.equals(keep)) {
                    deleteTree(p);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var st = Files.walk(p)) {
            for (Path x : st.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> affectedUnits(Release rel) {
        if (rel.units().isEmpty()) {
            return cfg.units();
        }
        return cfg.units().stream().filter(rel.units()::contains).toList();
    }

    private CheckResult install(AgentState s, Release rel, byte[] manifest, Map<String, Path> downloads) throws IOException {
        InstalledRelease from = s.committed();
        Map<String, String> shas = new LinkedHashMap<>();
        rel.artifacts().forEach(a -> shas.put(a.name(), a.sha256Hex()));
        InstalledRelease target = new InstalledRelease(rel.version(), rel.release(), rel.dirName(), shas,
                rel.ledger() == null ? 0 : rel.ledger().schema(), rel.ledger() == null ? 0 : rel.ledger().compatibleFrom(), "");
        if (LedgerGuard.migrates(rel, from)) {
            String what = "release v" + rel.version() + " migrates the ledger to schema " + rel.ledger().schema()
                    + " (installed: " + (from == null ? 0 : from.ledgerSchema()) + ", compatible from "
                    + rel.ledger().compatibleFrom() + ")";
            if (!ledger.configured()) {
                LOG.log(System.Logger.Level.ERROR, what + " and ledger.backup-command is not set: not upgrading without a backup");
                return new CheckResult.Failed(what + " and ledger.backup-command is not set: not upgrading without a backup");
            }
            try {
                Path backup = ledger.backup(rel, from, clock.instant());
                metrics.ledgerBackup(true);
                target = target.withLedgerBackup(backup.toString());
                LOG.log(System.Logger.Level.INFO, what + "; ledger backed up to " + backup);
            } catch (IOException e) {
                metrics.ledgerBackup(false);
                LOG.log(System.Logger.Level.ERROR, what + ": ledger backup failed, not upgrading: " + e.getMessage());
                return new CheckResult.Failed("ledger backup before v" + rel.version() + " failed: " + e.getMessage());
            }
        }
        List<String> units = affectedUnits(rel);
        Pending p = new Pending(Phase.STAGING, target, from, units, "");
        s = s.withPending(p);
        store.save(s);
        installer.stage(rel, downloads, manifest, crash);
        s = s.withPending(p.at(Phase.STAGED));
        store.save(s);
        crash.reach(CrashPoints.STAGED);
        s = s.withPending(p.at(Phase.SWITCHED));
        store.save(s);
        installer.switchCurrent(target.dir());
        LOG.log(System.Logger.Level.INFO, "current -> " + target.dir() + "; restarting " + units);
        crash.reach(CrashPoints.SWITCHED);
        String restartProblem = restart(units);
        s = s.withPending(p.at(Phase.RESTARTED));
        store.save(s);
        crash.reach(CrashPoints.RESTARTED);
        HealthChecker.Outcome outcome = restartProblem == null ? health.await(units, cfg.healthDeadline())
                : new HealthChecker.Outcome.Unhealthy("", restartProblem);
        if (outcome instanceof HealthChecker.Outcome.Unhealthy(String unit, String detail)) {
            String why = "release v" + rel.version() + " failed its health gate: " + detail;
            LOG.log(System.Logger.Level.ERROR, why + "; rolling back to " + describe(from));
            rollbackLocked(s, target, from, units, why, "health");
            return new CheckResult.RolledBack(rel.version(), from == null ? 0 : from.version(), why);
        }
        crash.reach(CrashPoints.HEALTHY);
        List<InstalledRelease> history = new ArrayList<>();
        if (from != null) {
            history.add(from);
        }
        history.addAll(s.history());
        List<InstalledRelease> kept = new ArrayList<>(history.subList(0, Math.min(history.size(), cfg.keep() - 1)));
        List<InstalledRelease> dropped = history.subList(kept.size(), history.size());
        s = s.withCommitted(target, kept).withPending(null).withCrashAttempts(0);
        store.save(s);
        metrics.committed();
        metrics.installedVersion(target.version());
        LOG.log(System.Logger.Level.INFO, "committed " + describe(target) + " (healthy: " + units + ")");
        crash.reach(CrashPoints.COMMITTED);
        for (InstalledRelease d : dropped) {
            installer.removeRelease(d.dir());
            if (!d.ledgerBackup().isEmpty()) {
                Files.deleteIfExists(Path.of(d.ledgerBackup())); // no longer a rollback target
            }
        }
        deleteTree(cfg.stateDir().resolve("downloads"));
        return new CheckResult.Updated(from == null ? 0 : from.version(), target.version());
    }

    /** Restarts units in order; returns null or the first failure. */
    private String restart(List<String> units) {
        for (String u : units) {
            try {
                systemctl.restart(u);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "restart of " + u + " failed: " + e.getMessage());
                return "restart of " + u + " failed: " + e.getMessage();
            }
        }
        return null;
    }

    /** Journals ROLLING_BACK, restores {@code good}, restarts, health-checks, records {@code bad} as failed. */
    private AgentState rollbackLocked(AgentState s, InstalledRelease bad, InstalledRelease good, List<String> units,
                                      String reason, String trigger) throws IOException {
        s = s.withPending(new Pending(Phase.ROLLING_BACK, good == null ? bad : good, bad, units, reason));
        store.save(s);
        if (good == null) {
            installer.removeCurrent();
        } else {
            installer.switchCurrent(good.dir());
        }
        crash.reach(CrashPoints.ROLLBACK_SWITCHED);
        if (LedgerGuard.needsRestore(bad, good)) {
            units = restoreLedger(bad, good);
        }
        if (good != null) {
            String problem = restart(units);
            HealthChecker.Outcome o = problem == null ? health.await(units, cfg.healthDeadline())
                    : new HealthChecker.Outcome.Unhealthy("", problem);
            if (o instanceof HealthChecker.Outcome.Unhealthy(String unit, String detail)) {
                LOG.log(System.Logger.Level.ERROR, "after rollback to " + describe(good) + " the units are still unhealthy: "
                        + detail + " (operator attention needed)");
            }
        }
        List<InstalledRelease> history = new ArrayList<>(s.history());
        if (good != null) {
            history.removeIf(h -> h.dir().equals(good.dir()));
        }
        s = s.withCommitted(good, history).withPending(null).withFailed(bad.version()).withCrashAttempts(0);
        store.save(s);
        metrics.rollback(trigger);
        metrics.installedVersion(good == null ? 0 : good.version());
        if (!bad.dir().equals(good == null ? null : good.dir())) {
            installer.removeRelease(bad.dir());
        }
        LOG.log(System.Logger.Level.WARNING, "rolled back from " + describe(bad) + " to " + describe(good) + " (" + reason + ")");
        return s;
    }

    /**
     * {@code bad} contracted the ledger beyond what {@code good} runs on: stop every unit (all may use the ledger), run
     * the restore command with the backup taken before {@code bad} was installed. Returns the units to restart (all).
     * A failed restore is logged and counted; the units are restarted anyway and their health check reports it.
     */
    private List<String> restoreLedger(InstalledRelease bad, InstalledRelease good) {
        LOG.log(System.Logger.Level.WARNING, "v" + bad.version() + " contracted the ledger (compatible from schema "
                + bad.ledgerCompatibleFrom() + "), v" + good.version() + " runs on schema " + good.ledgerSchema()
                + ": restoring the ledger backup " + bad.ledgerBackup() + " taken before the upgrade; ledger writes made"
                + " since then are lost");
        for (String u : cfg.units().reversed()) {
            // a socket-activated unit (hh-pool.socket) would start the service again at the next miner connection,
            // in the middle of the restore: its trigger goes first. Restarting the service afterwards starts it again
            // (the service Requires= its socket).
            List<String> stop = new java.util.ArrayList<>(systemctl.triggeredBy(u));
            stop.add(u);
            for (String unit : stop) {
                try {
                    systemctl.stop(unit);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.ERROR, "stop of " + unit + " before the ledger restore failed: " + e.getMessage());
                }
            }
        }
        try {
            ledger.restore(Path.of(bad.ledgerBackup()));
            metrics.ledgerRestore(true);
            LOG.log(System.Logger.Level.WARNING, "ledger restored from " + bad.ledgerBackup());
        } catch (IOException e) {
            metrics.ledgerRestore(false);
            LOG.log(System.Logger.Level.ERROR, "ledger restore from " + bad.ledgerBackup() + " failed: " + e.getMessage()
                    + " (operator attention needed: v" + good.version() + " cannot run on the migrated ledger)");
        }
        return cfg.units();
    }

    private AgentState repairLocked() throws IOException {
        AgentState s = store.load();
        installer.cleanLeftovers();
        if (s.committed() == null && s.pending() == null) {
            String cur = installer.currentDirName();
            if (cur != null) {
                s = s.withCommitted(new InstalledRelease(0, cur, cur, Map.of()), List.of());
                store.save(s);
                LOG.log(System.Logger.Level.INFO, "adopted the release current points to (" + cur + ") as version 0");
            }
        }
        Pending p = s.pending();
        if (p != null) {
            metrics.crashRecovered();
            if (p.phase() == Phase.ROLLING_BACK) {
                InstalledRelease good = p.target() == p.from() || p.target().dir().equals(p.from().dir()) ? null : p.target();
                LOG.log(System.Logger.Level.WARNING, "resuming an interrupted rollback from " + describe(p.from()));
                s = rollbackLocked(s, p.from(), good, p.units(), p.reason() + " (resumed after restart)", "recovery");
            } else {
                InstalledRelease good = p.from();
                InstalledRelease bad = p.target();
                String cur = installer.currentDirName();
                boolean touched = p.phase().ordinal() >= Phase.SWITCHED.ordinal()
                        || !Objects.equals(cur, good == null ? null : good.dir());
                if (good == null) {
                    installer.removeCurrent();
                } else if (!good.dir().equals(cur)) {
                    installer.switchCurrent(good.dir());
                }
                List<String> restartUnits = p.units();
                if (touched && LedgerGuard.needsRestore(bad, good)) {
                    restartUnits = restoreLedger(bad, good);
                }
                if (touched && good != null) {
                    String problem = restart(restartUnits);
                    HealthChecker.Outcome o = problem == null ? health.await(restartUnits, cfg.healthDeadline())
                            : new HealthChecker.Outcome.Unhealthy("", problem);
                    if (o instanceof HealthChecker.Outcome.Unhealthy(String unit, String detail)) {
                        LOG.log(System.Logger.Level.ERROR, "after repair the units are unhealthy: " + detail);
                    }
                }
                int attempts = s.crashAttempts() + 1;
                s = s.withPending(null).withCrashAttempts(attempts >= 3 ? 0 : attempts);
                if (attempts >= 3) {
                    s = s.withFailed(bad.version());
                    LOG.log(System.Logger.Level.ERROR, "release v" + bad.version() + " was interrupted 3 times; giving up on it");
                }
                store.save(s);
                if (touched) {
                    metrics.rollback("recovery");
                }
                installer.removeRelease(bad.dir());
                LOG.log(System.Logger.Level.WARNING, "repaired an upgrade to v" + bad.version() + " interrupted at "
                        + p.phase() + ": " + describe(good) + " is in service");
            }
        }
        removeUnreferencedReleases(s);
        metrics.installedVersion(s.committed() == null ? 0 : s.committed().version());
        metrics.trustedManifestVersion(s.trustedManifestVersion());
        return s;
    }

    /** Deletes agent-made release directories ({@code *-r<version>}) that the journal no longer references. */
    private void removeUnreferencedReleases(AgentState s) throws IOException {
        if (!Files.isDirectory(installer.releasesDir())) {
            return;
        }
        Set<String> referenced = new HashSet<>();
        if (s.committed() != null) {
            referenced.add(s.committed().dir());
        }
        s.history().forEach(h -> referenced.add(h.dir()));
        String cur = installer.currentDirName();
        if (cur != null) {
            referenced.add(cur);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(installer.releasesDir())) {
            for (Path d : ds) {
                String n = d.getFileName().toString();
                if (Files.isDirectory(d) && n.matches(".+-r[0-9]+") && !referenced.contains(n)) {
                    installer.removeRelease(n);
                }
            }
        }
    }

    private CheckResult record(AgentState s, CheckResult r) throws IOException {
        String result = resultLabel(r);
        metrics.check(result);
        boolean ok = !(r instanceof CheckResult.Failed || r instanceof CheckResult.Refused);
        metrics.lastCheck(clock.instant().getEpochSecond(), ok);
        store.save(s.withLastCheck(new LastCheck(clock.instant(), result, describe(r))));
        return r;
    }

    private void recordQuietly(CheckResult r) {
        try {
            record(store.load(), r);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot record the check result: " + e.getMessage());
        }
    }

    /** Metric/journal label of a result. */
    public static String resultLabel(CheckResult r) {
        return switch (r) {
            case CheckResult.UpToDate u -> "up_to_date";
            case CheckResult.Skipped k -> "skipped";
            case CheckResult.Updated u -> "updated";
            case CheckResult.Refused f -> "refused";
            case CheckResult.RolledBack b -> "rolled_back";
            case CheckResult.Failed f -> "failed";
        };
    }

    /** One human line for a result. */
    public static String describe(CheckResult r) {
        return switch (r) {
            case CheckResult.UpToDate u -> "up to date at v" + u.version();
            case CheckResult.Skipped k -> k.why();
            case CheckResult.Updated u -> "updated v" + u.fromVersion() + " -> v" + u.toVersion();
            case CheckResult.Refused f -> "refused (" + f.reason().label() + "): " + f.detail();
            case CheckResult.RolledBack b -> "rolled back v" + b.failedVersion() + " -> v" + b.restoredVersion() + ": " + b.detail();
            case CheckResult.Failed f -> "failed: " + f.detail();
        };
    }

    private static String describe(InstalledRelease r) {
        return r == null ? "(nothing)" : "v" + r.version() + " (" + r.dir() + ")";
    }

    /** Test hook: names of directories under the releases dir. */
    List<String> releaseDirs() throws IOException {
        if (!Files.isDirectory(installer.releasesDir())) {
            return List.of();
        }
        try (var st = Files.list(installer.releasesDir())) {
            String[] a = st.map(p -> p.getFileName().toString()).toArray(String[]::new);
            Arrays.sort(a);
            return List.of(a);
        }
    }

    @Override
    public void close() {
        fetcher.close();
        health.close();
    }
}
