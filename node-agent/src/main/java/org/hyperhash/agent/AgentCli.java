package org.hyperhash.agent;

import org.hyperhash.agent.json.Json;
import org.hyperhash.agent.manifest.Ed25519;
import org.hyperhash.agent.manifest.KeyFiles;
import org.hyperhash.agent.manifest.RefusedException;
import org.hyperhash.agent.manifest.Release;
import org.hyperhash.agent.manifest.Root;
import org.hyperhash.agent.manifest.Signed;
import org.hyperhash.agent.manifest.Verifier;
import org.hyperhash.agent.install.CrashPoints;
import org.hyperhash.agent.status.AgentMetrics;
import org.hyperhash.agent.systemd.ProcessSystemctl;
import org.hyperhash.agent.systemd.Systemctl;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Plain-Java entry points of the publisher and node commands (the {@code hh} launcher wraps them):
 * {@code release keygen|root|create|sign|verify} and {@code node-agent run|upgrade|status|rollback|register}.
 * {@link #run(String[], PrintStream, PrintStream)} returns the process exit code:
 * 0 ok (updated, up to date), 1 failure, 2 usage or configuration error, 3 refused by verification, 4 rolled back.
 */
public final class AgentCli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int REFUSED = 3;
    public static final int ROLLED_BACK = 4;

    private final Map<String, String> env;
    private final Function<AgentConfig, Systemctl> systemctlFactory;
    private final InstantSource clock;
    private final CrashPoints crash;
    private PrintStream out;
    private PrintStream err;

    /** Production wiring: real environment, real systemctl, system clock. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new AgentCli(System.getenv(), c -> new ProcessSystemctl(c.systemctlCommand(), c.systemctlTimeout()),
                InstantSource.system(), CrashPoints.NONE).execute(args, out, err);
    }

    /** Test/embedding wiring. */
    public AgentCli(Map<String, String> env, Function<AgentConfig, Systemctl> systemctlFactory, InstantSource clock,
                    CrashPoints crash) {
        this.env = Map.copyOf(env);
        this.systemctlFactory = systemctlFactory;
        this.clock = clock;
        this.crash = crash;
    }

    /** The agent's version (jar manifest), or "dev". */
    public static String agentVersion() {
        return Optional.ofNullable(AgentCli.class.getPackage().getImplementationVersion()).orElse("dev");
    }

    /** Usage error carrying its message. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    public int execute(String[] args, PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        try {
            if (args.length == 0) {
                throw new UsageException("expected `release` or `node-agent`");
            }
            List<String> rest = List.of(args).subList(1, args.length);
            return switch (args[0]) {
                case "release" -> release(rest);
                case "node-agent" -> nodeAgent(rest);
                case "--help", "-h", "help" -> {
                    out.println(RELEASE_HELP);
                    out.println(AGENT_HELP);
                    yield OK;
                }
                default -> throw new UsageException("unknown command \"" + args[0] + "\" (expected release or node-agent)");
            };
        } catch (UsageException | AgentConfig.ConfigError e) {
            err.println("hh: " + e.getMessage() + " (see --help)");
            return USAGE;
        } catch (RefusedException e) {
            err.println("hh: REFUSED (" + e.reason().label() + "): " + e.getMessage());
            return REFUSED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        } catch (Exception e) {
            err.println("hh: " + e.getMessage());
            return FAILED;
        }
    }

    // ---------------------------------------------------------------- option parsing

    /** Parsed options: repeated values kept in order; flags map to "true". */
    record Opts(String command, Map<String, List<String>> values) {
        String one(String name) throws UsageException {
            List<String> v = values.get(name);
            if (v == null || v.isEmpty()) {
                throw new UsageException(command + ": missing --" + name);
            }
            if (v.size() > 1) {
                throw new UsageException(command + ": --" + name + " given more than once");
            }
            return v.getFirst();
        }

        String opt(String name, String dflt) throws UsageException {
            return values.containsKey(name) ? one(name) : dflt;
        }

        List<String> all(String name) {
            return values.getOrDefault(name, List.of());
        }

        boolean flag(String name) {
            return values.containsKey(name);
        }
    }

    private static Opts parse(String command, List<String> args, List<String> valued, List<String> flags) throws UsageException {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument \"" + a + "\"");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException(command + ": --" + name + " takes no value");
                }
                m.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(command + ": --" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                m.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException(command + ": unknown option --" + name);
            }
        }
        return new Opts(command, m);
    }

    private static boolean wantsHelp(List<String> args) {
        return args.contains("--help") || args.contains("-h");
    }

    // ---------------------------------------------------------------- release (publisher)

    static final String RELEASE_HELP = """
            Usage: hh release <command> [options]   (publisher side; keys are Ed25519, documents JSON)
              keygen --out BASE                 new key pair: BASE.key (private, mode 0600) and BASE.pub
              root   --key PUB [--key PUB]... --threshold K --version N --expires WHEN --out FILE
                                                an unsigned root (keys allowed to sign releases, k of n);
                                                version 1 is pinned on nodes, N+1 rotates (sign with the old
                                                root's keys AND the new keys)
              create --version N --release LABEL --expires WHEN --artifact SPEC [--artifact SPEC]...
                     [--unit UNIT]... [--base-url URL] --out FILE
                                                an unsigned release manifest; SPEC = NAME=FILE[,url=URL][,executable][,unpack]
                                                (length and SHA-256 are computed from FILE; url defaults to
                                                --base-url + NAME)
              sign   --key KEY --in FILE [--out FILE]
                                                add this key's signature (each of the k signers runs it in turn)
              verify --root ROOT --in FILE [--artifacts DIR] [--min-version N]
                                                threshold, expiry and (with --artifacts) each artifact's length
                                                and SHA-256; FILE may be a release or a rotated root (N+1 of ROOT)
              WHEN: RFC 3339 UTC (2030-01-01T00:00:00Z) or a duration from now: 30d, 12h
            Exit: 0 ok, 1 error, 2 usage, 3 refused (the reason is printed)""";

    private int release(List<String> args) throws Exception {
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")) {
            out.println(RELEASE_HELP);
            return args.isEmpty() ? USAGE : OK;
        }
        String cmd = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        if (wantsHelp(rest)) {
            out.println(RELEASE_HELP);
            return OK;
        }
        return switch (cmd) {
            case "keygen" -> keygen(parse("release keygen", rest, List.of("out"), List.of()));
            case "root" -> root(parse("release root", rest, List.of("key", "threshold", "version", "expires", "out"), List.of()));
            case "create" -> create(parse("release create", rest,
                    List.of("version", "release", "expires", "artifact", "unit", "base-url", "out"), List.of()));
            case "sign" -> sign(parse("release sign", rest, List.of("key", "in", "out"), List.of()));
            case "verify" -> verify(parse("release verify", rest, List.of("root", "in", "artifacts", "min-version"), List.of()));
            default -> throw new UsageException("release: unknown command \"" + cmd + "\"");
        };
    }

    private int keygen(Opts o) throws Exception {
        String id = KeyFiles.writeNew(Ed25519.generate(), Path.of(o.one("out")));
        out.println("key id " + id);
        out.println("wrote " + o.one("out") + ".key (keep it offline) and " + o.one("out") + ".pub");
        return OK;
    }

    private Instant when(String s, String opt) throws UsageException {
        try {
            if (s.matches("[0-9]+[dh]")) {
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                return clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(n, s.endsWith("d") ? ChronoUnit.DAYS : ChronoUnit.HOURS);
            }
            return Instant.parse(s);
        } catch (RuntimeException e) {
            throw new UsageException("--" + opt + " must be RFC 3339 UTC or <n>d / <n>h, got \"" + s + "\"");
        }
    }

    private static long positiveLong(String s, String opt) throws UsageException {
        try {
            long v = Long.parseLong(s);
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " must be a positive integer, got \"" + s + "\"");
        }
    }

    private int root(Opts o) throws Exception {
        Map<String, Object> keys = new TreeMap<>();
        for (String k : o.all("key")) {
            byte[] raw = KeyFiles.readPublicRaw(Path.of(k));
            keys.put(Ed25519.keyId(raw), Base64.getEncoder().encodeToString(raw));
        }
        if (keys.isEmpty()) {
            throw new UsageException("release root: at least one --key");
        }
        long threshold = positiveLong(o.one("threshold"), "threshold");
        if (threshold > keys.size()) {
            throw new UsageException("release root: --threshold " + threshold + " is above the " + keys.size() + " distinct key(s)");
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("_type", Root.TYPE);
        b.put("spec", 1L);
        b.put("version", positiveLong(o.one("version"), "version"));
        b.put("expires", when(o.one("expires"), "expires").toString());
        b.put("threshold", threshold);
        b.put("keys", keys);
        Signed doc = new Signed(b, List.of());
        Root.of(doc);
        writeDoc(Path.of(o.one("out")), doc);
        out.println("wrote unsigned root v" + b.get("version") + " (" + threshold + " of " + keys.size() + ") to " + o.one("out"));
        return OK;
    }

    private int create(Opts o) throws Exception {
        String baseUrl = o.opt("base-url", null);
        List<Object> arts = new ArrayList<>();
        for (String spec : o.all("artifact")) {
            String[] parts = spec.split(",");
            int eq = parts[0].indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--artifact expects NAME=FILE[,url=URL][,executable][,unpack], got \"" + spec + "\"");
            }
            String name = parts[0].substring(0, eq);
            Path file = Path.of(parts[0].substring(eq + 1));
            String url = baseUrl == null ? null : baseUrl + (baseUrl.endsWith("/") ? "" : "/") + name;
            boolean exec = false;
            boolean unpack = false;
            for (int i = 1; i < parts.length; i++) {
                if (parts[i].startsWith("url=")) {
                    url = parts[i].substring(4);
                } else if (parts[i].equals("executable")) {
                    exec = true;
                } else if (parts[i].equals("unpack")) {
                    unpack = true;
                } else {
                    throw new UsageException("--artifact: unknown attribute \"" + parts[i] + "\"");
                }
            }
            if (url == null) {
                throw new UsageException("--artifact " + name + ": no url= and no --base-url");
            }
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("name", name);
            a.put("length", Files.size(file));
            a.put("sha256", sha256(file));
            a.put("url", url);
            if (exec) {
                a.put("executable", true);
            }
            if (unpack) {
                a.put("unpack", true);
            }
            arts.add(a);
        }
        if (arts.isEmpty()) {
            throw new UsageException("release create: at least one --artifact");
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("_type", Release.TYPE);
        b.put("spec", 1L);
        b.put("version", positiveLong(o.one("version"), "version"));
        b.put("release", o.one("release"));
        b.put("expires", when(o.one("expires"), "expires").toString());
        if (!o.all("unit").isEmpty()) {
            b.put("units", List.copyOf(o.all("unit")));
        }
        b.put("artifacts", arts);
        Signed doc = new Signed(b, List.of());
        Release.of(doc, null);
        writeDoc(Path.of(o.one("out")), doc);
        out.println("wrote unsigned release v" + b.get("version") + " with " + arts.size() + " artifact(s) to " + o.one("out"));
        return OK;
    }

    private int sign(Opts o) throws Exception {
        Path in = Path.of(o.one("in"));
        Signed doc = Signed.parse(Files.readAllBytes(in));
        KeyFiles.SigningKey key = KeyFiles.readPrivate(Path.of(o.one("key")));
        Signed signed = doc.signWith(key.privateKey(), key.rawPublic());
        Path outFile = Path.of(o.opt("out", o.one("in")));
        writeDoc(outFile, signed);
        out.println("signed " + doc.type() + " v" + doc.signed().get("version") + " with key " + key.keyId() + " ("
                + signed.signatures().size() + " signature(s)) -> " + outFile);
        return OK;
    }

    private int verify(Opts o) throws Exception {
        Signed rootDoc = Signed.parse(Files.readAllBytes(Path.of(o.one("root"))));
        Root root = Verifier.selfSignedRoot(rootDoc);
        Signed doc = Signed.parse(Files.readAllBytes(Path.of(o.one("in"))));
        Instant now = clock.instant();
        if (Root.TYPE.equals(doc.type())) {
            Root next = Verifier.rotate(root, doc);
            Verifier.checkNotExpired(next.expires(), now, "root v" + next.version());
            out.println("OK: root v" + next.version() + " is a valid rotation of v" + root.version() + " (threshold "
                    + next.threshold() + " of " + next.keys().size() + ", expires " + next.expires() + ")");
            return OK;
        }
        long floor = Long.parseLong(o.opt("min-version", "0"));
        Release rel = Verifier.release(doc, root, null, now, floor);
        if (o.values().containsKey("artifacts")) {
            Path dir = Path.of(o.one("artifacts"));
            for (var a : rel.artifacts()) {
                Path f = dir.resolve(a.name());
                if (!Files.exists(f)) {
                    f = dir.resolve(Path.of(a.name()).getFileName());
                }
                if (!Files.exists(f)) {
                    throw new IOException("artifact " + a.name() + " not found under " + dir);
                }
                if (Files.size(f) != a.length()) {
                    throw new RefusedException(org.hyperhash.agent.manifest.Reason.WRONG_LENGTH, "artifact " + a.name()
                            + " is " + Files.size(f) + " bytes, the manifest states " + a.length());
                }
                if (!sha256(f).equals(a.sha256Hex())) {
                    throw new RefusedException(org.hyperhash.agent.manifest.Reason.TAMPERED_ARTIFACT, "artifact " + a.name()
                            + ": SHA-256 does not match the manifest");
                }
            }
        }
        out.println("OK: release v" + rel.version() + " (" + rel.release() + "), " + rel.artifacts().size()
                + " artifact(s), signed by the threshold of root v" + root.version() + ", expires " + rel.expires()
                + (o.values().containsKey("artifacts") ? "; artifacts match" : ""));
        return OK;
    }

    private static void writeDoc(Path file, Signed doc) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, doc.toJson(), StandardCharsets.UTF_8);
    }

    private static String sha256(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- node-agent (operator)

    static final String AGENT_HELP = """
            Usage: hh node-agent <command> [--config FILE] [--set key=value]...
              run                        repair, serve node status (default 127.0.0.1:8442), register with the
                                         core, then check for releases every poll interval (+ jitter)
              upgrade [--verify-signature]
                                         one check now: verify (signatures are always verified; the flag
                                         makes that explicit), download, install, health-check, commit or roll back
              status                     the node status as JSON (release, previous, last check, units, dependencies)
              rollback                   restore the previous release now (the current one is not reinstalled)
              register                   register with the core now (node key, signed request, verified ack)
            Exit: 0 ok/up to date/updated, 1 error, 2 usage or config error, 3 refused by verification, 4 rolled back
            Configuration (properties file; env AGENT_<KEY> with . -> _ and - -> __; --set wins):""";

    private int nodeAgent(List<String> args) throws Exception {
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")) {
            printAgentHelp();
            return args.isEmpty() ? USAGE : OK;
        }
        String cmd = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        if (wantsHelp(rest)) {
            printAgentHelp();
            return OK;
        }
        if (!List.of("run", "upgrade", "status", "rollback", "register").contains(cmd)) {
            throw new UsageException("node-agent: unknown command \"" + cmd + "\" (run, upgrade, status, rollback, register)");
        }
        Opts o = parse("node-agent " + cmd, rest, List.of("config", "set"),
                cmd.equals("upgrade") ? List.of("verify-signature") : List.of());
        String cfgFile = o.opt("config", null);
        AgentConfig cfg = AgentConfig.load(cfgFile == null ? null : Path.of(cfgFile), env, o.all("set"));
        AgentMetrics metrics = new AgentMetrics(agentVersion());
        try (Agent agent = new Agent(cfg, systemctlFactory.apply(cfg), clock, crash, metrics)) {
            return switch (cmd) {
                case "run" -> runDaemon(agent);
                case "upgrade" -> {
                    Agent.CheckResult r = agent.checkOnce();
                    out.println(Agent.describe(r));
                    yield switch (r) {
                        case Agent.CheckResult.Refused f -> REFUSED;
                        case Agent.CheckResult.RolledBack b -> ROLLED_BACK;
                        case Agent.CheckResult.Failed f -> FAILED;
                        default -> OK;
                    };
                }
                case "status" -> {
                    out.print(Json.pretty(AgentDaemon.statusNow(agent, agentVersion())));
                    yield OK;
                }
                case "rollback" -> {
                    out.println(Agent.describe(agent.rollback()));
                    yield OK;
                }
                case "register" -> {
                    if (cfg.coreRegisterUrl() == null) {
                        throw new UsageException("node-agent register: core.register-url is not configured");
                    }
                    try (AgentDaemon d = new AgentDaemon(agent, java.util.random.RandomGenerator.getDefault(), agentVersion())) {
                        boolean ok = d.registerIfNeeded();
                        out.println(ok ? "registered" : "registration failed (see the log)");
                        yield ok ? OK : FAILED;
                    }
                }
                default -> throw new UsageException("node-agent: unknown command \"" + cmd + "\"");
            };
        }
    }

    private void printAgentHelp() {
        out.println(AGENT_HELP);
        AgentConfig.helpLines().forEach(out::println);
    }

    private int runDaemon(Agent agent) throws Exception {
        AgentDaemon d = new AgentDaemon(agent, new java.security.SecureRandom(), agentVersion());
        Thread hook = new Thread(d::close, "hh-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        d.start();
        out.println("node agent running; status on " + d.statusAddress());
        d.awaitStop();
        return OK;
    }

    /** Unused-parameter guard for URI import in javadoc tools. */
    static URI uri(String s) {
        return URI.create(s);
    }

    /** Test helper: duration parse used in docs. */
    static Duration days(long n) {
        return Duration.ofDays(n);
    }
}
