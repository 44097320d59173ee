package org.hyperhash.agent.install;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The agent's journal (state.json), replaced atomically on every transition.
 *
 * @param committed              the release in service (version 0 = installed outside the agent), null on a bare node
 * @param history                earlier committed releases, newest first (rollback targets; at most keep-1)
 * @param trustedManifestVersion highest release version ever verified (anything lower is a rollback attack)
 * @param failedVersions         versions that failed health or were rolled back (not retried), newest last
 * @param pending                an install or rollback in progress, or null
 * @param lastCheck              last check result, or null
 * @param crashAttempts          interrupted attempts of the pending version (3 = give up on it)
 */
public record AgentState(InstalledRelease committed, List<InstalledRelease> history, long trustedManifestVersion,
                         List<Long> failedVersions, Pending pending, LastCheck lastCheck, int crashAttempts) {
    public AgentState {
        history = List.copyOf(history);
        failedVersions = List.copyOf(failedVersions);
    }

    public static AgentState empty() {
        return new AgentState(null, List.of(), 0, List.of(), null, null, 0);
    }

    /**
     * A release on disk. {@code artifactSha256} maps artifact name to hex SHA-256. {@code ledgerSchema} and
     * {@code ledgerCompatibleFrom} come from its manifest (0 when it declared none or was installed outside the agent);
     * {@code ledgerBackup} is the ledger backup taken before it was installed ("" when it did not migrate).
     */
    public record InstalledRelease(long version, String release, String dir, Map<String, String> artifactSha256,
                                   long ledgerSchema, long ledgerCompatibleFrom, String ledgerBackup) {
        public InstalledRelease {
            artifactSha256 = Map.copyOf(artifactSha256);
            ledgerBackup = ledgerBackup == null ? "" : ledgerBackup;
        }

        public InstalledRelease(long version, String release, String dir, Map<String, String> artifactSha256) {
            this(version, release, dir, artifactSha256, 0, 0, "");
        }

        public InstalledRelease withLedgerBackup(String file) {
            return new InstalledRelease(version, release, dir, artifactSha256, ledgerSchema, ledgerCompatibleFrom, file);
        }
    }

    /** Phases of a transaction, in order. */
    public enum Phase { STAGING, STAGED, SWITCHED, RESTARTED, ROLLING_BACK }

    /**
     * @param phase  where it got to
     * @param target the release being installed (or, when rolling back, the one being restored)
     * @param from   the release in service before (or, when rolling back, the bad one); null on a bare node
     * @param units  units restarted by this transaction
     * @param reason why a rollback started (for the report)
     */
    public record Pending(Phase phase, InstalledRelease target, InstalledRelease from, List<String> units, String reason) {
        public Pending {
            units = List.copyOf(units);
        }

        public Pending at(Phase p) {
            return new Pending(p, target, from, units, reason);
        }
    }

    /** @param result {@code updated|up_to_date|refused|failed|rolled_back|skipped} */
    public record LastCheck(Instant at, String result, String detail) {
    }

    public AgentState withPending(Pending p) {
        return new AgentState(committed, history, trustedManifestVersion, failedVersions, p, lastCheck, crashAttempts);
    }

    public AgentState withLastCheck(LastCheck c) {
        return new AgentState(committed, history, trustedManifestVersion, failedVersions, pending, c, crashAttempts);
    }

    public AgentState withTrustedManifestVersion(long v) {
        return new AgentState(committed, history, Math.max(v, trustedManifestVersion), failedVersions, pending, lastCheck, crashAttempts);
    }

    public AgentState withCrashAttempts(int n) {
        return new AgentState(committed, history, trustedManifestVersion, failedVersions, pending, lastCheck, n);
    }

    public AgentState withFailed(long version) {
        List<Long> f = new java.util.ArrayList<>(failedVersions);
        if (!f.contains(version)) {
            f.add(version);
        }
        while (f.size() > 32) {
            f.removeFirst();
        }
        return new AgentState(committed, history, trustedManifestVersion, f, pending, lastCheck, crashAttempts);
    }

    public AgentState withCommitted(InstalledRelease c, List<InstalledRelease> h) {
        return new AgentState(c, h, trustedManifestVersion, failedVersions, pending, lastCheck, crashAttempts);
    }
}
