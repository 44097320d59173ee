package org.hyperhash.agent.manifest;

import org.hyperhash.agent.json.Fields;
import org.hyperhash.agent.json.Json;

import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A signed document: {@code {"signed": {...}, "signatures": [{"keyid": hex, "sig": base64}, ...]}}.
 * Signatures cover {@link Json#canonical} of the {@code signed} object only.
 *
 * @param signed     the signed body (parsed JSON object)
 * @param signatures signatures in file order
 */
public record Signed(Map<String, Object> signed, List<Sig> signatures) {
    /** One signature: key id (hex SHA-256 of the raw public key) and the 64-byte Ed25519 signature. */
    public record Sig(String keyId, byte[] sig) {
    }

    public Signed {
        signed = Map.copyOf(signed);
        signatures = List.copyOf(signatures);
    }

    /** Parses a signed document; any structural problem is {@link Reason#MALFORMED}. */
    public static Signed parse(byte[] utf8) throws RefusedException {
        try {
            Map<String, Object> top = Json.parseObject(utf8);
            Map<String, Object> body = Fields.object(top, "document", "signed");
            List<Sig> sigs = new ArrayList<>();
            int i = 0;
            for (Object o : Fields.list(top, "document", "signatures")) {
                Map<String, Object> s = Fields.asObject(o, "signatures[" + i + "]");
                String keyId = Fields.string(s, "signatures[" + i + "]", "keyid");
                byte[] sig;
                try {
                    sig = Base64.getDecoder().decode(Fields.string(s, "signatures[" + i + "]", "sig"));
                } catch (IllegalArgumentException e) {
                    throw new Fields.FieldException("signatures[" + i + "].sig is not base64");
                }
                sigs.add(new Sig(keyId, sig));
                i++;
            }
            return new Signed(body, sigs);
        } catch (IllegalArgumentException e) {
            throw new RefusedException(Reason.MALFORMED, "malformed document: " + e.getMessage());
        }
    }

    /** The bytes the signatures cover. */
    public byte[] canonicalBody() {
        return Json.canonical(signed);
    }

    /** A copy with one more signature by {@code key} (replacing an earlier one by the same key id). */
    public Signed signWith(PrivateKey key, byte[] rawPublic) {
        String id = Ed25519.keyId(rawPublic);
        byte[] sig = Ed25519.sign(key, canonicalBody());
        List<Sig> out = new ArrayList<>();
        for (Sig s : signatures) {
            if (!s.keyId().equals(id)) {
                out.add(s);
            }
        }
        out.add(new Sig(id, sig));
        return new Signed(signed, out);
    }

    /** The document as pretty JSON (signed body keys sorted, so diffs between signers stay small). */
    public String toJson() {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("signed", Json.parse(new String(Json.canonical(signed), java.nio.charset.StandardCharsets.UTF_8)));
        List<Object> sigs = new ArrayList<>();
        for (Sig s : signatures) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("keyid", s.keyId());
            m.put("sig", Base64.getEncoder().encodeToString(s.sig()));
            sigs.add(m);
        }
        top.put("signatures", sigs);
        return Json.pretty(top);
    }

    /** The {@code _type} of the signed body, or "" when absent. */
    public String type() {
        return signed.get("_type") instanceof String s ? s : "";
    }
}
