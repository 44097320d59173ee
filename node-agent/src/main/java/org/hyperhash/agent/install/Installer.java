package org.hyperhash.agent.install;

import org.hyperhash.agent.manifest.Artifact;
import org.hyperhash.agent.manifest.Release;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Filesystem side of an install: versioned release directories under {@code releasesDir}, staged in a
 * {@code .staging-*} directory and renamed into place, and the {@code current} symlink switched atomically
 * (new link + rename over the old one).
 */
public final class Installer {
    private static final String STAGING_PREFIX = ".staging-";
    private final Path releasesDir;
    private final Path currentLink;
    private final long maxUnpackedBytes;

    public Installer(Path releasesDir, Path currentLink, long maxUnpackedBytes) {
        this.releasesDir = releasesDir.toAbsolutePath();
        this.currentLink = currentLink.toAbsolutePath();
        this.maxUnpackedBytes = maxUnpackedBytes;
    }

    public Path releasesDir() {
        return releasesDir;
    }

    public Path dirOf(String name) {
        return releasesDir.resolve(name);
    }

    /**
     * Builds {@code releasesDir/<release.dirName()>} from verified downloads: each artifact copied to its
     * name (or unpacked when it is a zip), plus {@code RELEASE.json} (the signed manifest). Replaces a
     * leftover directory of the same name (it was never committed: names carry the unique version).
     */
    public Path stage(Release release, Map<String, Path> downloads, byte[] manifest, CrashPoints crash) throws IOException {
        Files.createDirectories(releasesDir);
        Path staging = releasesDir.resolve(STAGING_PREFIX + release.dirName());
        deleteTree(staging);
        Files.createDirectories(staging);
        crash.reach(CrashPoints.STAGING);
        for (Artifact a : release.artifacts()) {
            Path src = downloads.get(a.name());
            if (a.unpack()) {
                unzip(src, staging);
            } else {
                Path dst = staging.resolve(a.name());
                Files.createDirectories(dst.getParent());
                Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                if (a.executable()) {
                    setExecutable(dst);
                }
                fsync(dst);
            }
        }
        Files.write(staging.resolve("RELEASE.json"), manifest);
        fsync(staging.resolve("RELEASE.json"));
        Path target = releasesDir.resolve(release.dirName());
        deleteTree(target);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        StateStore.fsyncDir(releasesDir);
        return target;
    }

    private void unzip(Path zip, Path into) throws IOException {
        long total = 0;
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(zip))) {
            ZipEntry e;
            byte[] buf = new byte[64 * 1024];
            while ((e = z.getNextEntry()) != null) {
                String name = e.getName();
                boolean dir = name.endsWith("/");
                String clean = dir ? name.substring(0, name.length() - 1) : name;
                if (clean.isEmpty()) {
                    continue;
                }
                checkEntry(clean);
                Path p = into.resolve(clean).normalize();
                if (!p.startsWith(into)) {
                    throw new IOException("zip entry escapes the release directory: " + name);
                }
                if (dir) {
                    Files.createDirectories(p);
                    continue;
                }
                Files.createDirectories(p.getParent());
                try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    int n;
                    while ((n = z.read(buf)) > 0) {
                        total += n;
                        if (total > maxUnpackedBytes) {
                            throw new IOException("zip expands beyond " + maxUnpackedBytes + " bytes (download.max-bytes)");
                        }
                        out.write(buf, 0, n);
                    }
                } catch (FileAlreadyExistsException dup) {
                    throw new IOException("zip has a duplicate entry: " + name);
                }
                if (clean.equals("hh") || clean.endsWith(".sh") || clean.startsWith("bin/")) {
                    setExecutable(p);
                }
                fsync(p);
            }
        }
    }

    private static void checkEntry(String path) throws IOException {
        if (path.startsWith("/") || path.contains("\\")) {
            throw new IOException("zip entry has an absolute or backslash path: " + path);
        }
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..") || !seg.matches("[A-Za-z0-9._+-]+")) {
                throw new IOException("zip entry has an invalid path segment: " + path);
            }
        }
    }

    private static void setExecutable(Path p) throws IOException {
        try {
            Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(p));
            perms.addAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
            Files.setPosixFilePermissions(p, perms);
        } catch (UnsupportedOperationException e) {
            p.toFile().setExecutable(true, false);
        }
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** The directory name {@code current} points to, or null if there is no link. */
    public String currentDirName() throws IOException {
        if (!Files.isSymbolicLink(currentLink)) {
            if (Files.exists(currentLink, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(currentLink + " exists but is not a symlink (paths.current-link)");
            }
            return null;
        }
        Path t = Files.readSymbolicLink(currentLink);
        return t.getFileName().toString();
    }

    /** Points {@code current} at {@code releasesDir/dirName} atomically (symlink + rename). */
    public void switchCurrent(String dirName) throws IOException {
        Path target = releasesDir.resolve(dirName);
        if (!Files.isDirectory(target)) {
            throw new IOException("cannot switch to " + target + ": not a directory");
        }
        Path tmp = currentLink.resolveSibling(currentLink.getFileName() + ".hh-new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, target);
        Files.move(tmp, currentLink, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        StateStore.fsyncDir(currentLink.getParent());
    }

    /** Removes the {@code current} link (a bare node rolling back its first install). */
    public void removeCurrent() throws IOException {
        if (Files.isSymbolicLink(currentLink)) {
            Files.delete(currentLink);
        }
    }

    /** Removes leftovers of an interrupted run: staging directories and a half-made {@code current} link. */
    public void cleanLeftovers() throws IOException {
        Files.deleteIfExists(currentLink.resolveSibling(currentLink.getFileName() + ".hh-new"));
        if (!Files.isDirectory(releasesDir)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(releasesDir, STAGING_PREFIX + "*")) {
            for (Path p : ds) {
                deleteTree(p);
            }
        }
    }

    /** Deletes a release directory unless {@code current} points to it. */
    public void removeRelease(String dirName) throws IOException {
        if (dirName == null || dirName.equals(currentDirName())) {
            return;
        }
        deleteTree(releasesDir.resolve(dirName));
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

}
