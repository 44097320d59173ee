package org.hyperhash.sv2.noise;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * The private, executable directory native libraries are extracted to before {@code dlopen}: not /tmp (a noexec
 * tmpfs in the compose stack and on hardened hosts, and shared with every user). Chosen by the system property
 * {@value #PROPERTY}, else the environment variable {@value #ENV} (the systemd units and the compose file set it
 * to a directory under the daemon's state directory), else {@code $XDG_CACHE_HOME/hyperhash/native} or
 * {@code ~/.cache/hyperhash/native}. The directory is created mode 0700 and refused when another user owns it or
 * others can write to it; files are named by their SHA-256 and verified before use (hashed when written, compared
 * byte for byte with the verified content at later starts), so daemons of different builds can share it.
 */
final class NativeDir {
    static final String PROPERTY = "hyperhash.native.dir";
    static final String ENV = "HH_NATIVE_DIR";

    private NativeDir() {
    }

    static Path directory() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(ENV);
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p).toAbsolutePath();
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("hyperhash").resolve("native").toAbsolutePath();
    }

    /**
     * Writes {@code content} as {@code name} in the directory (atomically, unless an identical file is there) and
     * returns its path.
     *
     * @throws IOException with a one-line reason (directory unusable, unsafe permissions, content mismatch)
     */
    static Path install(byte[] content, String name, String sha256Hex) throws IOException {
        Path dir = privateDirectory();
        Path file = dir.resolve(name);
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && sha256Hex.equals(sha256(Files.readAllBytes(file)))) {
            return file;
        }
        Path tmp = Files.createTempFile(dir, name, ".part", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        try {
            Files.write(tmp, content);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (!sha256Hex.equals(sha256(Files.readAllBytes(file)))) {
            throw new IOException(file + " changed while it was written");
        }
        return file;
    }

    /**
     * The file {@code name} in the directory when it is a regular file (not a link) with exactly {@code content}, else
     * null (then {@link #install}). For content the caller has verified before: a start whose library is already there
     * compares bytes instead of hashing the file again.
     *
     * @throws IOException with a one-line reason (directory unusable, unsafe permissions)
     */
    static Path installed(byte[] content, String name) throws IOException {
        Path dir = privateDirectory();
        Path file = dir.resolve(name);
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) == content.length
                && Arrays.equals(content, Files.readAllBytes(file))) {
            return file;
        }
        return null;
    }

    /** {@link #directory()}, created mode 0700 if missing, and checked ({@link #checkPrivate}). */
    private static Path privateDirectory() throws IOException {
        Path dir = directory();
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        checkPrivate(dir);
        return dir;
    }

    /** Refuses a directory another user owns or others can write to (they could swap the library). */
    static void checkPrivate(Path dir) throws IOException {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory()) {
            throw new IOException("native directory " + dir + " is not a directory (set " + ENV + ")");
        }
        String me = System.getProperty("user.name");
        if (me != null && !a.owner().getName().equals(me)) {
            throw new IOException("native directory " + dir + " is owned by " + a.owner().getName() + ", not " + me
                    + " (set " + ENV + " to a private directory)");
        }
        Set<PosixFilePermission> perms = a.permissions();
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("native directory " + dir + " is writable by others ("
                    + PosixFilePermissions.toString(perms) + "): chmod 700 it or set " + ENV);
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
