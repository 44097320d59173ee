package org.hyperhash.sv2.noise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeDirTest {
    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty(NativeDir.PROPERTY);
    }

    @Test
    void extractsIntoTheConfiguredPrivateDirectoryAndReusesAnIdenticalFile() throws IOException {
        Path nat = dir.resolve("state/native");
        System.setProperty(NativeDir.PROPERTY, nat.toString());
        byte[] lib = "not really a library".getBytes(StandardCharsets.US_ASCII);
        String sha = NativeDir.sha256(lib);
        Path f = NativeDir.install(lib, "libx-" + sha.substring(0, 16) + ".so", sha);
        assertEquals(nat, f.getParent());
        assertArrayEquals(lib, Files.readAllBytes(f));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nat)));
        long modified = Files.getLastModifiedTime(f).toMillis();
        assertEquals(f, NativeDir.install(lib, f.getFileName().toString(), sha));
        assertEquals(modified, Files.getLastModifiedTime(f).toMillis(), "an identical file is reused");
        // a tampered file is replaced
        Files.writeString(f, "evil");
        assertArrayEquals(lib, Files.readAllBytes(NativeDir.install(lib, f.getFileName().toString(), sha)));
    }

    @Test
    void installedFindsOnlyAByteIdenticalRegularFile() throws IOException {
        Path nat = dir.resolve("state/native");
        System.setProperty(NativeDir.PROPERTY, nat.toString());
        byte[] lib = "not really a library".getBytes(StandardCharsets.US_ASCII);
        String name = "libx-" + NativeDir.sha256(lib).substring(0, 16) + ".so";
        assertNull(NativeDir.installed(lib, name), "nothing there yet");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nat)));
        Path f = NativeDir.install(lib, name, NativeDir.sha256(lib));
        assertEquals(f, NativeDir.installed(lib, name));
        Files.writeString(f, "evil library of the same name");
        assertNull(NativeDir.installed(lib, name), "other content");
        Files.write(f, java.util.Arrays.copyOf(lib, lib.length - 1));
        assertNull(NativeDir.installed(lib, name), "a prefix");
        Files.delete(f);
        Path other = Files.write(nat.resolve("elsewhere.so"), lib);
        Files.createSymbolicLink(f, other);
        assertNull(NativeDir.installed(lib, name), "a link, even to the same bytes");
    }

    @Test
    void refusesADirectoryOthersCanWrite() throws IOException {
        Path shared = dir.resolve("shared");
        Files.createDirectories(shared);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        System.setProperty(NativeDir.PROPERTY, shared.toString());
        IOException e = assertThrows(IOException.class, () -> NativeDir.install(new byte[1], "l.so", NativeDir.sha256(new byte[1])));
        assertTrue(e.getMessage().contains("writable by others") && e.getMessage().contains(NativeDir.ENV), e.getMessage());
    }

    @Test
    void theNativeProviderLoadsFromTheNativeDirectoryNotTmp() throws IOException {
        if (Secp256k1Providers.nativeProvider().isEmpty()) {
            throw new AssertionError("native provider did not load: " + Secp256k1Providers.nativeUnavailableReason().orElse("?"));
        }
        try (var s = Files.list(NativeDir.directory())) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("libsecp256k1-")),
                    "libsecp256k1 extracted to " + NativeDir.directory());
        }
    }
}
