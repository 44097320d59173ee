package org.hyperhash.treasury.lightning;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;

/**
 * An LND macaroon file, re-read when its modification time or size changes (LND rotates macaroons), so a new
 * macaroon is picked up without a restart. The hex value is only handed to the gRPC metadata, never logged.
 */
public final class MacaroonFile {
    private final Path path;
    private FileTime lastModified;
    private long lastSize = -1;
    private String hex;
    private int reloads;

    public MacaroonFile(Path path) {
        this.path = path;
    }

    /** The current macaroon as hex, reloading it if the file changed. */
    public synchronized String currentHex() throws IOException {
        FileTime mtime = Files.getLastModifiedTime(path);
        long size = Files.size(path);
        if (hex == null || !mtime.equals(lastModified) || size != lastSize) {
            byte[] raw = Files.readAllBytes(path);
            if (raw.length == 0) {
                throw new IOException("macaroon file " + path + " is empty");
            }
            hex = HexFormat.of().formatHex(raw);
            if (lastModified != null) {
                reloads++;
            }
            lastModified = mtime;
            lastSize = size;
        }
        return hex;
    }

    /** Forces a re-read on the next call (after LND rejected the macaroon). */
    public synchronized void invalidate() {
        hex = null;
    }

    /** How many times a changed file was re-read (for status). */
    public synchronized int reloads() {
        return reloads;
    }

    public Path path() {
        return path;
    }
}
