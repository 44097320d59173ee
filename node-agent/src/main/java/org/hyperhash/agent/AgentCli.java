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

import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.daemon.Ports;
import org.hyperhash.daemon.Redact;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
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
import java.util.concurrent.Callable;
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
        CommandLine cl = new CommandLine(new Top(), new Factory());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        customHelp(cl);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("hh: " + ex.getMessage() + " (see --help)");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, pr) -> handle(ex));
        return cl.execute(args);
    }

    private int handle(Exception e) {
        return switch (e) {
            case UsageException u -> {
                err.println("hh: " + u.getMessage() + " (see --help)");
                yield USAGE;
            }
            case AgentConfig.ConfigError c -> {
                err.println("hh: configuration error: " + c.getMessage() + " (see --help)");
                yield USAGE;
            }
            case RefusedException r -> {
                err.println("hh: REFUSED (" + r.reason().label() + "): " + r.getMessage());
                yield REFUSED;
            }
            case InterruptedException i -> {
                Thread.currentThread().interrupt();
                yield FAILED;
            }
            default -> {
                err.println("hh: " + e.getMessage());
                yield FAILED;
            }
        };
    }

    /** Each command prints the documented usage text (the same text the launcher's docs quote). */
    private void customHelp(CommandLine cl) {
        String text = switch (cl.getCommandName()) {
            case "hh" -> RELEASE_HELP + "\n" + agentHelp();
            case "release", "keygen", "root", "create", "sign", "verify" -> RELEASE_HELP;
            default -> agentHelp();
        };
        cl.setHelpSectionKeys(List.of("hh-usage"));
        cl.getHelpSectionMap().put("hh-usage", h -> text + "\n");
        for (CommandLine sub : cl.getSubcommands().values()) {
            customHelp(sub);
        }
    }

    /** Builds the command objects as inner instances of this CLI (they use its wiring and streams). */
    private final class Factory implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls.getEnclosingClass() == AgentCli.class && !java.lang.reflect.Modifier.isStatic(cls.getModifiers())) {
                var c = cls.getDeclaredConstructor(AgentCli.class);
                c.setAccessible(true);
                return c.newInstance(AgentCli.this);
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }

    @Command(name = "hh", subcommands = {ReleaseCmd.class, NodeAgentCmd.class})
    final class Top implements Callable<Integer> {
        /** Inherited by every subcommand: {@code hh release keygen --help} prints the usage like {@code hh --help}. */
        @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT)
        boolean help;

        @Override
        public Integer call() throws UsageException {
            throw new UsageException("expected `release` or `node-agent`");
        }
    }

    // ---------------------------------------------------------------- release (publisher)

    @Command(name = "release", subcommands = {Keygen.class, RootCmd.class, Create.class, Sign.class, Verify.class})
    final class ReleaseCmd implements Callable<Integer> {
        @Override
        public Integer call() {
            out.println(RELEASE_HELP);
            return USAGE;
        }
    }

    @Command(name = "keygen")
    final class Keygen implements Callable<Integer> {
        @Option(names = "--out", required = true)
        String outBase;

        @Override
        public Integer call() throws Exception {
            return keygen(outBase);
        }
    }

    @Command(name = "root")
    final class RootCmd implements Callable<Integer> {
        @Option(names = "--key", required = true)
        List<String> keys = new ArrayList<>();
        @Option(names = "--threshold", required = true)
        String threshold;
        @Option(names = "--version", required = true)
        String version;
        @Option(names = "--expires", required = true)
        String expires;
        @Option(names = "--out", required = true)
        String outFile;

        @Override
        public Integer call() throws Exception {
            return root(this);
        }
    }

    @Command(name = "create")
    final class Create implements Callable<Integer> {
        @Option(names = "--version", required = true)
        String version;
        @Option(names = "--release", required = true)
        String release;
        @Option(names = "--expires", required = true)
        String expires;
        @Option(names = "--artifact", required = true)
        List<String> artifacts = new ArrayList<>();
        @Option(names = "--unit")
        List<String> units = new ArrayList<>();
        @Option(names = "--base-url")
        String baseUrl;
        @Option(names = "--ledger-schema")
        String ledgerSchema;
        @Option(names = "--ledger-compatible-from")
        String ledgerCompatibleFrom;
        @Option(names = "--out", required = true)
        String outFile;

        @Override
        public Integer call() throws Exception {
            return create(this);
        }
    }

    @Command(name = "sign")
    final class Sign implements Callable<Integer> {
        @Option(names = "--key", required = true)
        String key;
        @Option(names = "--in", required = true)
        String in;
        @Option(names = "--out")
        String outFile;

        @Override
        public Integer call() throws Exception {
            return sign(this);
        }
    }

    @Command(name = "verify")
    final class Verify implements Callable<Integer> {
        @Option(names = "--root", required = true)
        String root;
        @Option(names = "--in", required = true)
        String in;
        @Option(names = "--artifacts")
        String artifacts;
        @Option(names = "--min-version", defaultValue = "0")
        long minVersion;

        @Override
        public Integer call() throws Exception {
            return verify(this);
        }
    }


    static final String RELEASE_HELP = """
            Usage: hh release <command> [options]   (publisher side; keys are Ed25519, documents JSON)
              keygen --out BASE                 new key pair: BASE.key (private, mode 0600) and BASE.pub
              root   --key PUB [--key PUB]... --threshold K --version N --expires WHEN --out FILE
                                                an unsigned root (keys allowed to sign releases, k of n);
                                                version 1 is pinned on nodes, N+1 rotates (sign with the old
                                                root's keys AND the new keys)
              create --version N --release LABEL --expires WHEN --artifact SPEC [--artifact SPEC]...
                     [--unit UNIT]... [--base-url URL] [--ledger-schema N --ledger-compatible-from M] --out FILE
                                                an unsigned release manifest; SPEC = NAME=FILE[,url=URL][,executable][,unpack]
                                                (length and SHA-256 are computed from FILE; url defaults to
                                                --base-url + NAME); --ledger-schema: highest ledger migration
                                                the release ships, --ledger-compatible-from: its highest
                                                "compat: contract N" (0: expand-only); nodes back the ledger up
                                                before an upgrade that migrates it
              sign   --key KEY --in FILE [--out FILE]
                                                add this key's signature (each of the k signers runs it in turn)
              verify --root ROOT --in FILE [--artifacts DIR] [--min-version N]
                                                threshold, expiry and (with --artifacts) each artifact's length
                                                and SHA-256; FILE may be a release or a rotated root (N+1 of ROOT)
              WHEN: RFC 3339 UTC (2030-01-01T00:00:00Z) or a duration from now: 30d, 12h
            Exit: 0 ok, 1 error, 2 usage, 3 refused (the reason is printed)""";

    private int keygen(String base) throws Exception {
        String id = KeyFiles.writeNew(Ed25519.generate(), Path.of(base));
        out.println("key id " + id);
        out.println("wrote " + base + ".key (keep it offline) and " + base + ".pub");
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

    private int root(RootCmd o) throws Exception {
        Map<String, Object> keys = new TreeMap<>();
        for (String k : o.keys) {
            byte[] raw = KeyFiles.readPublicRaw(Path.of(k));
            keys.put(Ed25519.keyId(raw), Base64.getEncoder().encodeToString(raw));
        }
        if (keys.isEmpty()) {
            throw new UsageException("release root: at least one --key");
        }
        long threshold = positiveLong(o.threshold, "threshold");
        if (threshold > keys.size()) {
            throw new UsageException("release root: --threshold " + threshold + " is above the " + keys.size() + " distinct key(s)");
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("_type", Root.TYPE);
        b.put("spec", 1L);
        b.put("version", positiveLong(o.version, "version"));
        b.put("expires", when(o.expires, "expires").toString());
        b.put("threshold", threshold);
        b.put("keys", keys);
        Signed doc = new Signed(b, List.of());
        Root.of(doc);
        writeDoc(Path.of(o.outFile), doc);
        out.println("wrote unsigned root v" + b.get("version") + " (" + threshold + " of " + keys.size() + ") to " + o.outFile);
        return OK;
    }

    private int create(Create o) throws Exception {
        String baseUrl = o.baseUrl;
        List<Object> arts = new ArrayList<>();
        for (String spec : o.artifacts) {
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
        b.put("version", positiveLong(o.version, "version"));
        b.put("release", o.release);
        b.put("expires", when(o.expires, "expires").toString());
        if (!o.units.isEmpty()) {
            b.put("units", List.copyOf(o.units));
        }
        b.put("artifacts", arts);
        if (o.ledgerSchema != null || o.ledgerCompatibleFrom != null) {
            if (o.ledgerSchema == null || o.ledgerCompatibleFrom == null) {
                throw new UsageException("release create: --ledger-schema and --ledger-compatible-from go together");
            }
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("schema", positiveLong(o.ledgerSchema, "ledger-schema"));
            long from;
            try {
                from = Long.parseLong(o.ledgerCompatibleFrom);
            } catch (NumberFormatException e) {
                throw new UsageException("--ledger-compatible-from must be an integer >= 0");
            }
            l.put("compatible_from", from);
            b.put("ledger", l);
        }
        Signed doc = new Signed(b, List.of());
        Release.of(doc, null);
        writeDoc(Path.of(o.outFile), doc);
        out.println("wrote unsigned release v" + b.get("version") + " with " + arts.size() + " artifact(s) to " + o.outFile);
        return OK;
    }

    private int sign(Sign o) throws Exception {
        Path in = Path.of(o.in);
        Signed doc = Signed.parse(Files.readAllBytes(in));
        KeyFiles.SigningKey key = KeyFiles.readPrivate(Path.of(o.key));
        Signed signed = doc.signWith(key.privateKey(), key.rawPublic());
        Path outFile = Path.of(o.outFile == null ? o.in : o.outFile);
        writeDoc(outFile, signed);
        out.println("signed " + doc.type() + " v" + doc.signed().get("version") + " with key " + key.keyId() + " ("
                + signed.signatures().size() + " signature(s)) -> " + outFile);
        return OK;
    }

    private int verify(Verify o) throws Exception {
        Signed rootDoc = Signed.parse(Files.readAllBytes(Path.of(o.root)));
        Root root = Verifier.selfSignedRoot(rootDoc);
        Signed doc = Signed.parse(Files.readAllBytes(Path.of(o.in)));
        Instant now = clock.instant();
        if (Root.TYPE.equals(doc.type())) {
            Root next = Verifier.rotate(root, doc);
            Verifier.checkNotExpired(next.expires(), now, "root v" + next.version());
            out.println("OK: root v" + next.version() + " is a valid rotation of v" + root.version() + " (threshold "
                    + next.threshold() + " of " + next.keys().size() + ", expires " + next.expires() + ")");
            return OK;
        }
        Release rel = Verifier.release(doc, root, null, now, o.minVersion);
        if (o.artifacts != null) {
            Path dir = Path.of(o.artifacts);
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
                + (o.artifacts != null ? "; artifacts match" : ""));
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
            Usage: hh node-agent <command> [--config FILE] [--set key=value]... [--print-config] [--check-config]
              run                        repair, serve node status (default 127.0.0.1:8442), register with the
                                         core, then check for releases every poll interval (+ jitter)
              upgrade [--verify-signature]
                                         one check now: verify (signatures are always verified; the flag
                                         makes that explicit), download, install, health-check, commit or roll back
              status                     the node status as JSON (release, previous, last check, units, dependencies)
              rollback                   restore the previous release now (the current one is not reinstalled)
              register                   register with the core now (node key, signed request, verified ack)
            Options of every command:
              --config FILE              HOCON config (hyperhash.node-agent { ... } or relative keys); the old
                                         key = value format is read for one release with a deprecation warning
              --set PATH=VALUE           override one value (repeatable; relative or hyperhash.node-agent.PATH)
              --print-config             validate, print the effective configuration and exit
              --check-config             validate everything a start would (config, trust root, status port free)
                                         without starting; exit 0 ok, 1 a check failed, 2 configuration error
            Exit: 0 ok/up to date/updated, 1 error, 2 usage or config error, 3 refused by verification, 4 rolled back
            Configuration (hyperhash.node-agent; env AGENT_<PATH> with . -> _ and - -> __; --set wins):""";

    private static String agentHelp() {
        return AGENT_HELP + "\n" + String.join("\n", AgentConfig.helpLines());
    }

    @Command(name = "node-agent", subcommands = {AgentRun.class, AgentUpgrade.class, AgentStatus.class, AgentRollback.class,
            AgentRegister.class})
    final class NodeAgentCmd implements Callable<Integer> {
        @Override
        public Integer call() {
            out.println(agentHelp());
            return USAGE;
        }
    }

    /** What every node-agent command shares: the daemon options contract, config loading, the agent. */
    abstract class AgentCommand implements Callable<Integer> {
        @Mixin
        DaemonOptions opts = new DaemonOptions();

        @Override
        public final Integer call() throws Exception {
            AgentConfig.Loaded loaded = AgentConfig.loadDetailed(opts.config, env, opts.sets);
            for (String w : loaded.warnings()) {
                err.println("hh: WARN config: " + w);
            }
            AgentConfig cfg = loaded.config();
            if (opts.printConfig) {
                out.println(Redact.render(loaded.effective().atPath(AgentConfig.ROOT)));
                return OK;
            }
            if (opts.checkConfig) {
                return checkConfig(cfg);
            }
            AgentMetrics metrics = new AgentMetrics(agentVersion());
            try (Agent agent = new Agent(cfg, systemctlFactory.apply(cfg), clock, crash, metrics)) {
                return run(cfg, agent);
            }
        }

        abstract int run(AgentConfig cfg, Agent agent) throws Exception;
    }

    /** {@code --check-config}: what a start needs, without starting. */
    private int checkConfig(AgentConfig cfg) {
        try {
            var hp = AgentConfig.hostPort(cfg.statusListen(), AgentConfig.ROOT + ".status.listen", true);
            Ports.requireFree(AgentConfig.ROOT, Map.of("status.listen",
                    List.of(new java.net.InetSocketAddress(hp.getKey(), hp.getValue()))));
            out.println("node-agent: listen addresses free");
            Path state = cfg.stateDir().resolve("root.json");
            if (!Files.isReadable(state) && !Files.isReadable(cfg.trustRootFile())) {
                throw new IOException("no trusted root: " + AgentConfig.ROOT + ".trust.root-file " + cfg.trustRootFile()
                        + " is not readable and the state directory holds none");
            }
            out.println("node-agent: trusted root readable");
            if (cfg.caFile() != null && !Files.isReadable(cfg.caFile())) {
                throw new IOException(AgentConfig.ROOT + ".tls.ca-file " + cfg.caFile() + " is not readable");
            }
        } catch (Ports.BindFailure | IOException e) {
            err.println("node-agent: check failed: " + e.getMessage());
            return FAILED;
        }
        out.println("node-agent: configuration OK (" + AgentConfig.ROOT + ")");
        return OK;
    }

    @Command(name = "run")
    final class AgentRun extends AgentCommand {
        @Override
        int run(AgentConfig cfg, Agent agent) throws Exception {
            return runDaemon(agent);
        }
    }

    @Command(name = "upgrade")
    final class AgentUpgrade extends AgentCommand {
        @Option(names = "--verify-signature", description = "signatures are always verified; the flag makes that explicit")
        boolean verifySignature;

        @Override
        int run(AgentConfig cfg, Agent agent) throws Exception {
            Agent.CheckResult r = agent.checkOnce();
            out.println(Agent.describe(r));
            return switch (r) {
                case Agent.CheckResult.Refused f -> REFUSED;
                case Agent.CheckResult.RolledBack b -> ROLLED_BACK;
                case Agent.CheckResult.Failed f -> FAILED;
                default -> OK;
            };
        }
    }

    @Command(name = "status")
    final class AgentStatus extends AgentCommand {
        @Override
        int run(AgentConfig cfg, Agent agent) throws Exception {
            out.print(Json.pretty(AgentDaemon.statusNow(agent, agentVersion())));
            return OK;
        }
    }

    @Command(name = "rollback")
    final class AgentRollback extends AgentCommand {
        @Override
        int run(AgentConfig cfg, Agent agent) throws Exception {
            out.println(Agent.describe(agent.rollback()));
            return OK;
        }
    }

    @Command(name = "register")
    final class AgentRegister extends AgentCommand {
        @Override
        int run(AgentConfig cfg, Agent agent) throws Exception {
            if (cfg.coreRegisterUrl() == null) {
                throw new UsageException("node-agent register: " + AgentConfig.ROOT + ".core.register-url is not configured");
            }
            try (AgentDaemon d = new AgentDaemon(agent, java.util.random.RandomGenerator.getDefault(), agentVersion())) {
                boolean ok = d.registerIfNeeded();
                out.println(ok ? "registered" : "registration failed (see the log)");
                return ok ? OK : FAILED;
            }
        }
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

}
