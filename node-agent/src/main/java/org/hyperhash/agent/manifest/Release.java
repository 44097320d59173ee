package org.hyperhash.agent.manifest;

import org.hyperhash.agent.json.Fields;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A release manifest body:
 * {@code {"_type":"release","spec":1,"version":N,"release":"0.2.0","expires":"…Z","units":["hh-pool.service"],
 * "artifacts":[{"name":"…","length":n,"sha256":"hex","url":"…","executable":false,"unpack":false}]}}.
 *
 * @param version   strictly increasing integer; the agent refuses anything not above the installed one
 * @param release   human label (also names the install directory {@code <release>-r<version>})
 * @param expires   not valid after this instant
 * @param units     systemd units this release affects (restarted and health-checked); empty = every configured unit
 * @param artifacts files, names unique
 * @param ledger    the ledger schema this release's binaries migrate to, or null when they use no ledger
 *                  (optional {@code "ledger":{"schema":9,"compatible_from":8}})
 */
public record Release(long version, String release, Instant expires, List<String> units, List<Artifact> artifacts,
                      Ledger ledger) {
    public static final String TYPE = "release";

    public Release {
        units = List.copyOf(units);
        artifacts = List.copyOf(artifacts);
    }

    public Release(long version, String release, Instant expires, List<String> units, List<Artifact> artifacts) {
        this(version, release, expires, units, artifacts, null);
    }

    /**
     * The release's ledger schema (docs/operations.md, "Ledger schema changes").
     *
     * @param schema         the highest ledger migration the release ships; starting it migrates the ledger up to it
     * @param compatibleFrom the oldest ledger schema whose builds still run on the ledger afterwards (its highest
     *                       {@code -- compat: contract N}); 0 when every migration it ships is expand-only
     */
    public record Ledger(long schema, long compatibleFrom) {
    }

    /** The directory name under the releases dir. */
    public String dirName() {
        return release + "-r" + version;
    }

    /** Validates a signed release body; relative artifact URLs resolve against {@code base}. */
    public static Release of(Signed doc, URI base) throws RefusedException {
        Map<String, Object> b = doc.signed();
        try {
            if (!TYPE.equals(doc.type())) {
                throw new Fields.FieldException("release._type must be \"release\", got \"" + doc.type() + "\"");
            }
            long version = Fields.integer(b, "release", "version");
            if (version < 1) {
                throw new Fields.FieldException("release.version must be >= 1");
            }
            String label = Fields.string(b, "release", "release");
            if (!label.matches("[A-Za-z0-9._+-]{1,64}") || label.startsWith(".")) {
                throw new Fields.FieldException("release.release must match [A-Za-z0-9._+-]{1,64}");
            }
            Instant expires = Root.instant(Fields.string(b, "release", "expires"), "release.expires");
            List<String> units = new ArrayList<>();
            if (b.containsKey("units")) {
                for (Object u : Fields.list(b, "release", "units")) {
                    if (!(u instanceof String s) || !s.matches(org.hyperhash.agent.systemd.Systemctl.UNIT_NAME)) {
                        throw new Fields.FieldException("release.units has an invalid unit name");
                    }
                    units.add(s);
                }
            }
            List<Artifact> arts = new ArrayList<>();
            Set<String> names = new HashSet<>();
            List<Object> raw = Fields.list(b, "release", "artifacts");
            if (raw.isEmpty()) {
                throw new Fields.FieldException("release.artifacts is empty");
            }
            for (int i = 0; i < raw.size(); i++) {
                String ctx = "release.artifacts[" + i + "]";
                Map<String, Object> a = Fields.asObject(raw.get(i), ctx);
                String name = Fields.string(a, ctx, "name");
                Artifact.checkPath(name, ctx + ".name");
                if (!names.add(name)) {
                    throw new Fields.FieldException(ctx + ".name \"" + name + "\" is duplicated");
                }
                long length = Fields.integer(a, ctx, "length");
                if (length < 0) {
                    throw new Fields.FieldException(ctx + ".length must be >= 0");
                }
                String hex = Fields.string(a, ctx, "sha256");
                if (!hex.matches("[0-9a-f]{64}")) {
                    throw new Fields.FieldException(ctx + ".sha256 must be 64 lower-case hex digits");
                }
                URI url;
                try {
                    url = base == null ? new URI(Fields.string(a, ctx, "url"))
                            : base.resolve(new URI(Fields.string(a, ctx, "url")));
                } catch (URISyntaxException e) {
                    throw new Fields.FieldException(ctx + ".url is not a URI");
                }
                if (url.isAbsolute() && !("https".equals(url.getScheme()) || "http".equals(url.getScheme()))) {
                    throw new Fields.FieldException(ctx + ".url must be http or https");
                }
                arts.add(new Artifact(name, length, HexFormat.of().parseHex(hex), url,
                        Fields.optBool(a, ctx, "executable", false), Fields.optBool(a, ctx, "unpack", false)));
            }
            Ledger ledger = null;
            if (b.containsKey("ledger")) {
                Map<String, Object> l = Fields.object(b, "release", "ledger");
                long schema = Fields.integer(l, "release.ledger", "schema");
                long from = Fields.integer(l, "release.ledger", "compatible_from");
                if (schema < 1 || from < 0 || from > schema) {
                    throw new Fields.FieldException("release.ledger needs schema >= 1 and 0 <= compatible_from <= schema");
                }
                ledger = new Ledger(schema, from);
            }
            return new Release(version, label, expires, units, arts, ledger);
        } catch (IllegalArgumentException e) {
            throw new RefusedException(Reason.MALFORMED, "malformed release manifest: " + e.getMessage());
        }
    }
}
