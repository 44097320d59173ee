package org.hyperhash.agent.install;

import org.hyperhash.agent.install.AgentState.InstalledRelease;
import org.hyperhash.agent.install.AgentState.LastCheck;
import org.hyperhash.agent.install.AgentState.Pending;
import org.hyperhash.agent.json.Fields;
import org.hyperhash.agent.json.Json;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and atomically replaces {@code state.json} (write temp, fsync, rename, fsync directory), so a
 * crash leaves either the old or the new journal, never a torn one.
 */
public final class StateStore {
    private final Path file;

    public StateStore(Path stateDir) {
        this.file = stateDir.resolve("state.json");
    }

    public Path file() {
        return file;
    }

    public AgentState load() throws IOException {
        if (!Files.exists(file)) {
            return AgentState.empty();
        }
        try {
            Map<String, Object> m = Json.parseObject(Files.readAllBytes(file));
            List<InstalledRelease> history = new ArrayList<>();
            for (Object o : Fields.list(m, "state", "history")) {
                history.add(release(Fields.asObject(o, "state.history[]")));
            }
            List<Long> failed = new ArrayList<>();
            for (Object o : Fields.list(m, "state", "failed_versions")) {
                failed.add((Long) o);
            }
            Pending pending = null;
            if (m.get("pending") instanceof Map<?, ?>) {
                Map<String, Object> p = Fields.object(m, "state", "pending");
                List<String> units = new ArrayList<>();
                for (Object u : Fields.list(p, "state.pending", "units")) {
                    units.add((String) u);
                }
                pending = new Pending(AgentState.Phase.valueOf(Fields.string(p, "state.pending", "phase")),
                        release(Fields.object(p, "state.pending", "target")),
                        p.get("from") instanceof Map<?, ?> ? release(Fields.object(p, "state.pending", "from")) : null,
                        units, Fields.optString(p, "state.pending", "reason", ""));
            }
            LastCheck last = null;
            if (m.get("last_check") instanceof Map<?, ?>) {
                Map<String, Object> c = Fields.object(m, "state", "last_check");
                last = new LastCheck(Instant.parse(Fields.string(c, "state.last_check", "at")),
                        Fields.string(c, "state.last_check", "result"), Fields.string(c, "state.last_check", "detail"));
            }
            InstalledRelease committed = m.get("committed") instanceof Map<?, ?>
                    ? release(Fields.object(m, "state", "committed")) : null;
            return new AgentState(committed, history, Fields.integer(m, "state", "trusted_manifest_version"), failed,
                    pending, last, (int) Fields.integer(m, "state", "crash_attempts"));
        } catch (RuntimeException e) {
            throw new IOException(file + " is unreadable (" + e.getMessage() + "); fix or remove it (the agent then "
                    + "adopts the release `current` points to)", e);
        }
    }

    private static InstalledRelease release(Map<String, Object> m) {
        Map<String, String> arts = new LinkedHashMap<>();
        Fields.object(m, "release", "artifacts").forEach((k, v) -> arts.put(k, (String) v));
        long schema = 0;
        long from = 0;
        String backup = "";
        if (m.get("ledger") instanceof Map<?, ?>) { // journals written before ledger-aware upgrades have none
            Map<String, Object> l = Fields.object(m, "release", "ledger");
            schema = Fields.integer(l, "release.ledger", "schema");
            from = Fields.integer(l, "release.ledger", "compatible_from");
            backup = Fields.optString(l, "release.ledger", "backup", "");
        }
        return new InstalledRelease(Fields.integer(m, "release", "version"), Fields.string(m, "release", "release"),
                Fields.string(m, "release", "dir"), arts, schema, from, backup);
    }

    private static Map<String, Object> json(InstalledRelease r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", r.version());
        m.put("release", r.release());
        m.put("dir", r.dir());
        m.put("artifacts", new LinkedHashMap<>(r.artifactSha256()));
        if (r.ledgerSchema() > 0 || !r.ledgerBackup().isEmpty()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("schema", r.ledgerSchema());
            l.put("compatible_from", r.ledgerCompatibleFrom());
            l.put("backup", r.ledgerBackup());
            m.put("ledger", l);
        }
        return m;
    }

    /** The state as a JSON object (also used by the status page). */
    public static Map<String, Object> json(AgentState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spec", 1L);
        m.put("committed", s.committed() == null ? Json.NULL : json(s.committed()));
        m.put("history", s.history().stream().map(StateStore::json).toList());
        m.put("trusted_manifest_version", s.trustedManifestVersion());
        m.put("failed_versions", List.copyOf(s.failedVersions()));
        if (s.pending() == null) {
            m.put("pending", Json.NULL);
        } else {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("phase", s.pending().phase().name());
            p.put("target", json(s.pending().target()));
            p.put("from", s.pending().from() == null ? Json.NULL : json(s.pending().from()));
            p.put("units", s.pending().units());
            p.put("reason", s.pending().reason());
            m.put("pending", p);
        }
        if (s.lastCheck() == null) {
            m.put("last_check", Json.NULL);
        } else {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("at", s.lastCheck().at().toString());
            c.put("result", s.lastCheck().result());
            c.put("detail", s.lastCheck().detail());
            m.put("last_check", c);
        }
        m.put("crash_attempts", (long) s.crashAttempts());
        return m;
    }

    public void save(AgentState s) throws IOException {
        writeAtomically(file, Json.pretty(json(s)).getBytes(StandardCharsets.UTF_8));
    }

    /** Temp file + fsync + atomic rename + directory fsync. */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(content));
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(dir);
    }

    static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some file systems cannot open directories; the rename is still atomic
        }
    }
}
