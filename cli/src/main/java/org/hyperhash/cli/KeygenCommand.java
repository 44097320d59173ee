package org.hyperhash.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.hyperhash.sv2.noise.KeyTool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hh keygen [--out DIR]}: a new SV2 authority key pair and server static key for a pool or a template provider.
 * Without {@code --out} it prints config lines that paste as they are into {@code hyperhash.pool { }} or
 * {@code hyperhash.tp { }} (the secrets on stdout). With {@code --out DIR} it writes the secrets to files of mode 0600
 * (never overwriting) and prints the {@code ...-secret-key-file} lines that point at them.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Generate an SV2 authority key pair and a server static key (base58check) for hh pool or hh tp.",
            "Prints config lines that paste as they are (sv2.authority-secret-key = \"...\").",
            "--out DIR writes the secrets to DIR/authority-secret-key and DIR/static-secret-key (mode 0600, never",
            "overwritten) and prints the sv2.*-secret-key-file lines instead: prefer it on servers."})
final class KeygenCommand implements Callable<Integer> {
    static final String AUTHORITY_FILE = "authority-secret-key";
    static final String STATIC_FILE = "static-secret-key";
    static final String PUBLIC_FILE = "authority-public-key";

    @Option(names = "--out", paramLabel = "DIR", description = "Write the key files here (created with mode 0700 if missing).")
    Path out;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        KeyTool.GeneratedKeys k = KeyTool.generateKeys(new SecureRandom());
        String pub = k.authority().publicKey().toBase58();
        if (out == null) {
            w.println("# hh keygen: paste into the pool's or the template provider's config (hyperhash.pool { ... } or");
            w.println("# hyperhash.tp { ... }). These are secrets: keep them out of repositories (hh keygen --out DIR writes");
            w.println("# them to files of mode 0600 instead).");
            w.println("sv2.authority-secret-key = \"" + k.authority().secretToBase58() + "\"");
            w.println("sv2.static-secret-key = \"" + k.serverStatic().secretToBase58() + "\"");
            printPin(w, pub);
            w.flush();
            return 0;
        }
        try {
            Path dir = out.toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path a = dir.resolve(AUTHORITY_FILE);
            Path s = dir.resolve(STATIC_FILE);
            Path p = dir.resolve(PUBLIC_FILE);
            for (Path f : new Path[] {a, s, p}) {
                if (Files.exists(f)) {
                    throw new FileAlreadyExistsException(f + " exists: refusing to overwrite a key (pools and miners pin it)");
                }
            }
            writeNew(a, k.authority().secretToBase58(), "rw-------");
            writeNew(s, k.serverStatic().secretToBase58(), "rw-------");
            writeNew(p, pub, "rw-r--r--");
            w.println("# hh keygen: keys written to " + dir + " (secrets mode 0600). Paste into the pool's or the template");
            w.println("# provider's config (hyperhash.pool { ... } or hyperhash.tp { ... }); the daemon's user must read the files.");
            w.println("sv2.authority-secret-key-file = \"" + a + "\"");
            w.println("sv2.static-secret-key-file = \"" + s + "\"");
            printPin(w, pub);
            w.flush();
            return 0;
        } catch (IOException e) {
            err.println("hh keygen: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private static void printPin(PrintWriter w, String pub) {
        w.println("# authority public key: " + pub);
        w.println("# who talks to this daemon pins it: a pool pins its TP in template-providers = [{ address = \"...\", "
                + "authority-key = \"" + pub + "\" }]; a translator pins its pool in upstream.pools = [{ name = \"...\", "
                + "host = \"...\", port = 3333, authority-key = \"" + pub + "\" }]");
    }

    /** Creates {@code f} with {@code perms} from the start (no window where the secret is readable by others). */
    private static void writeNew(Path f, String content, String perms) throws IOException {
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms)));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms)); // the umask may have removed bits
        Files.writeString(f, content + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
