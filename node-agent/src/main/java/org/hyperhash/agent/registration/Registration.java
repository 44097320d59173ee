package org.hyperhash.agent.registration;

import org.hyperhash.agent.install.StateStore;
import org.hyperhash.agent.json.Fields;
import org.hyperhash.agent.json.Json;
import org.hyperhash.agent.manifest.Ed25519;
import org.hyperhash.agent.manifest.KeyFiles;
import org.hyperhash.agent.manifest.KeyFiles.SigningKey;
import org.hyperhash.agent.manifest.Reason;
import org.hyperhash.agent.manifest.RefusedException;
import org.hyperhash.agent.manifest.Signed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Node registration with the core, both sides. The node has an Ed25519 identity key ({@code <state>/node.key},
 * created on first use). Request (signed by the node key, same envelope as releases):
 * {@code {"_type":"node-registration","node_id":<keyid>,"public_key":b64,"node_name":…,"agent_version":…,
 * "installed_version":n,"timestamp":"…Z","nonce":hex}}. Acknowledgement (signed by the core key):
 * {@code {"_type":"node-registration-ack","node_id":…,"request_sha256":hex of the canonical request body,
 * "status":"accepted","registered_at":"…Z"}}. The agent verifies the core's signature, the node id and the
 * request hash (which binds the nonce), then stores request and ack in {@code <state>/registration.json}.
 */
public final class Registration {
    public static final String REQUEST_TYPE = "node-registration";
    public static final String ACK_TYPE = "node-registration-ack";

    private Registration() {
    }

    /** Loads the node identity key, creating it (mode 0600) on first use. */
    public static SigningKey nodeKey(Path stateDir) throws IOException {
        Path key = stateDir.resolve("node.key");
        if (!Files.exists(key)) {
            Files.createDirectories(stateDir);
            KeyFiles.writeNew(Ed25519.generate(), stateDir.resolve("node"));
        }
        return KeyFiles.readPrivate(key);
    }

    /** Builds the node's signed registration request. */
    public static Signed request(SigningKey node, String nodeName, String agentVersion, long installedVersion,
                                 Instant now, byte[] nonce) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("_type", REQUEST_TYPE);
        b.put("node_id", node.keyId());
        b.put("public_key", Base64.getEncoder().encodeToString(node.rawPublic()));
        b.put("node_name", nodeName);
        b.put("agent_version", agentVersion);
        b.put("installed_version", installedVersion);
        b.put("timestamp", now.toString());
        b.put("nonce", HexFormat.of().formatHex(nonce));
        return new Signed(b, List.of()).signWith(node.privateKey(), node.rawPublic());
    }

    /**
     * Core side: checks a request is self-consistent and signed by the key it names, and fresh
     * ({@code |timestamp - now| <= maxSkew}). Returns the node's public key.
     */
    public static PublicKey verifyRequest(Signed req, Instant now, Duration maxSkew) throws RefusedException {
        Map<String, Object> b = req.signed();
        try {
            if (!REQUEST_TYPE.equals(req.type())) {
                throw new IllegalArgumentException("registration._type must be " + REQUEST_TYPE);
            }
            byte[] raw = Base64.getDecoder().decode(Fields.string(b, "registration", "public_key"));
            String id = Fields.string(b, "registration", "node_id");
            if (!Ed25519.keyId(raw).equals(id)) {
                throw new IllegalArgumentException("registration.node_id is not the SHA-256 of public_key");
            }
            PublicKey pk = Ed25519.publicFromRaw(raw);
            boolean signed = req.signatures().stream().anyMatch(s -> s.keyId().equals(id)
                    && Ed25519.verify(pk, req.canonicalBody(), s.sig()));
            if (!signed) {
                throw new RefusedException(Reason.BAD_SIGNATURE, "registration of node " + id + " is not signed by its key");
            }
            Instant ts = Instant.parse(Fields.string(b, "registration", "timestamp"));
            if (Duration.between(ts, now).abs().compareTo(maxSkew) > 0) {
                throw new RefusedException(Reason.EXPIRED, "registration timestamp " + ts + " is more than " + maxSkew + " from now");
            }
            return pk;
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw new RefusedException(Reason.MALFORMED, "malformed registration: " + e.getMessage());
        }
    }

    /** Core side: the signed acknowledgement of a verified request. */
    public static Signed acknowledge(Signed req, SigningKey core, Instant now) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("_type", ACK_TYPE);
        b.put("node_id", req.signed().get("node_id"));
        b.put("request_sha256", sha256Hex(req.canonicalBody()));
        b.put("status", "accepted");
        b.put("registered_at", now.toString());
        return new Signed(b, List.of()).signWith(core.privateKey(), core.rawPublic());
    }

    /** Node side: verifies the core's acknowledgement of {@code req}. */
    public static void verifyAck(Signed ack, Signed req, PublicKey coreKey) throws RefusedException {
        String coreId = Ed25519.keyId(Ed25519.rawPublic(coreKey));
        boolean signed = ack.signatures().stream().anyMatch(s -> s.keyId().equals(coreId)
                && Ed25519.verify(coreKey, ack.canonicalBody(), s.sig()));
        if (!signed) {
            throw new RefusedException(Reason.BAD_SIGNATURE, "registration acknowledgement is not signed by core.public-key");
        }
        Map<String, Object> b = ack.signed();
        try {
            if (!ACK_TYPE.equals(ack.type())) {
                throw new IllegalArgumentException("ack._type must be " + ACK_TYPE);
            }
            if (!Fields.string(b, "ack", "node_id").equals(req.signed().get("node_id"))) {
                throw new IllegalArgumentException("ack.node_id is not this node");
            }
            if (!Fields.string(b, "ack", "request_sha256").equals(sha256Hex(req.canonicalBody()))) {
                throw new RefusedException(Reason.MIX_AND_MATCH, "registration acknowledgement is for another request");
            }
            if (!"accepted".equals(Fields.string(b, "ack", "status"))) {
                throw new IllegalArgumentException("ack.status is \"" + b.get("status") + "\", not accepted");
            }
        } catch (IllegalArgumentException e) {
            throw new RefusedException(Reason.MALFORMED, "malformed registration acknowledgement: " + e.getMessage());
        }
    }

    /** Node side: sends a request, verifies the answer and stores both. */
    public static Signed register(org.hyperhash.agent.fetch.HttpFetcher http, java.net.URI url, Path stateDir, Signed req,
                                  PublicKey coreKey) throws IOException, RefusedException {
        byte[] resp = http.postJson(url, req.toJson().getBytes(StandardCharsets.UTF_8), 64 * 1024);
        Signed ack = Signed.parse(resp);
        verifyAck(ack, req, coreKey);
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("request", Json.parse(req.toJson()));
        stored.put("ack", Json.parse(ack.toJson()));
        StateStore.writeAtomically(stateDir.resolve("registration.json"), Json.pretty(stored).getBytes(StandardCharsets.UTF_8));
        return ack;
    }

    /** The stored acknowledgement, re-verified against {@code coreKey}; empty if absent or no longer valid. */
    public static Optional<Signed> stored(Path stateDir, PublicKey coreKey) {
        Path f = stateDir.resolve("registration.json");
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            Map<String, Object> m = Json.parseObject(Files.readAllBytes(f));
            Signed req = Signed.parse(Json.compact(Fields.object(m, "registration", "request")).getBytes(StandardCharsets.UTF_8));
            Signed ack = Signed.parse(Json.compact(Fields.object(m, "registration", "ack")).getBytes(StandardCharsets.UTF_8));
            verifyAck(ack, req, coreKey);
            return Optional.of(ack);
        } catch (IOException | RefusedException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static String sha256Hex(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
