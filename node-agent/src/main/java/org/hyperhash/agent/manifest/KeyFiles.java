package org.hyperhash.agent.manifest;

import org.hyperhash.agent.json.Fields;
import org.hyperhash.agent.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ed25519 key files. Private: {@code {"type":"ed25519-private","keyid":…,"public":b64 raw,"pkcs8":b64}},
 * written with mode 0600 and never overwritten. Public: {@code {"type":"ed25519-public","keyid":…,"public":b64 raw}}.
 */
public final class KeyFiles {
    private KeyFiles() {
    }

    /** A loaded signing key: the private key, its raw public key and id. */
    public record SigningKey(PrivateKey privateKey, byte[] rawPublic, String keyId) {
        public PublicKey publicKey() {
            return Ed25519.publicFromRaw(rawPublic);
        }
    }

    /** Writes {@code <base>.key} (0600) and {@code <base>.pub}; refuses to overwrite. Returns the key id. */
    public static String writeNew(KeyPair kp, Path base) throws IOException {
        byte[] raw = Ed25519.rawPublic(kp.getPublic());
        String id = Ed25519.keyId(raw);
        Map<String, Object> priv = new LinkedHashMap<>();
        priv.put("type", "ed25519-private");
        priv.put("keyid", id);
        priv.put("public", Base64.getEncoder().encodeToString(raw));
        priv.put("pkcs8", Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded()));
        Path keyFile = base.resolveSibling(base.getFileName() + ".key");
        Path pubFile = base.resolveSibling(base.getFileName() + ".pub");
        if (Files.exists(keyFile) || Files.exists(pubFile)) {
            throw new FileAlreadyExistsException(keyFile + " or " + pubFile + " exists; refusing to overwrite a key");
        }
        if (keyFile.getParent() != null) {
            Files.createDirectories(keyFile.getParent());
        }
        writePrivate(keyFile, Json.pretty(priv));
        Files.writeString(pubFile, publicJson(raw), StandardOpenOption.CREATE_NEW);
        return id;
    }

    /** The public key file content for a raw key. */
    public static String publicJson(byte[] raw) {
        Map<String, Object> pub = new LinkedHashMap<>();
        pub.put("type", "ed25519-public");
        pub.put("keyid", Ed25519.keyId(raw));
        pub.put("public", Base64.getEncoder().encodeToString(raw));
        return Json.pretty(pub);
    }

    private static void writePrivate(Path file, String content) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }

    public static SigningKey readPrivate(Path file) throws IOException {
        try {
            Map<String, Object> m = Json.parseObject(Files.readAllBytes(file));
            if (!"ed25519-private".equals(Fields.string(m, "key", "type"))) {
                throw new IllegalArgumentException("key.type must be ed25519-private");
            }
            byte[] raw = Base64.getDecoder().decode(Fields.string(m, "key", "public"));
            PrivateKey pk = Ed25519.privateFromPkcs8(Base64.getDecoder().decode(Fields.string(m, "key", "pkcs8")));
            // the stored public key must belong to the private key: sign and verify a probe
            byte[] probe = "hyperhash-key-check".getBytes(StandardCharsets.US_ASCII);
            if (!Ed25519.verify(Ed25519.publicFromRaw(raw), probe, Ed25519.sign(pk, probe))) {
                throw new IllegalArgumentException("key.public does not match key.pkcs8");
            }
            return new SigningKey(pk, raw, Ed25519.keyId(raw));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": not a valid private key file (" + e.getMessage() + ")");
        }
    }

    /** Reads a public key file (or a private key file, taking its public part); returns the raw 32 bytes. */
    public static byte[] readPublicRaw(Path file) throws IOException {
        try {
            Map<String, Object> m = Json.parseObject(Files.readAllBytes(file));
            byte[] raw = Base64.getDecoder().decode(Fields.string(m, "key", "public"));
            Ed25519.publicFromRaw(raw);
            return raw;
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": not a valid key file (" + e.getMessage() + ")");
        }
    }
}
