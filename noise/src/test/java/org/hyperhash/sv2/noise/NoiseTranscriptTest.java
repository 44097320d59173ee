package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hyperhash.testkit.ManualClock;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Replays vectors/sv2_noise_handshake_derived.json and asserts every intermediate value on both sides. */
class NoiseTranscriptTest {
    private static final JsonNode V = Vectors.json("sv2_noise_handshake_derived.json");
    private static final JsonNode IN = V.get("inputs");

    /** JSON step name -> tracer label (null = checked separately). */
    private static final Map<String, String> LABELS = new LinkedHashMap<>();

    static {
        LABELS.put("init: ck=SHA256(protocol_name)", "init.ck");
        LABELS.put("init: h=SHA256(ck)", "init.h");
        LABELS.put("act1: h=SHA256(h||e_i.ellswift)", "act1.h.e");
        LABELS.put("act1: h=SHA256(h||empty payload)", "act1.h.payload");
        LABELS.put("act2: h=SHA256(h||e_r.ellswift)", "act2.h.e");
        LABELS.put("act2: ecdh_ee", "act2.ecdh_ee");
        LABELS.put("act2: ck after MixKey(ee)", "act2.ck.ee");
        LABELS.put("act2: k after MixKey(ee)", "act2.k.ee");
        LABELS.put("act2: encrypted static (80B, nonce 0, ad=h)", "act2.enc_static");
        LABELS.put("act2: h=SHA256(h||enc_static)", "act2.h.static");
        LABELS.put("act2: ecdh_es", "act2.ecdh_es");
        LABELS.put("act2: ck after MixKey(es)", "act2.ck.es");
        LABELS.put("act2: k after MixKey(es)", "act2.k.es");
        LABELS.put("cert: signed preimage version||valid_from||not_valid_after||server_static_xonly", null);
        LABELS.put("cert: m=SHA256(preimage) (BIP340 message)", null);
        LABELS.put("cert: BIP340 signature", null);
        LABELS.put("cert: SIGNATURE_NOISE_MESSAGE plaintext (74B)", null);
        LABELS.put("act2: encrypted cert (90B, nonce 0, ad=h)", "act2.enc_cert");
        LABELS.put("act2: final handshake hash h", "act2.h.final");
        LABELS.put("split: k1 (initiator->responder)", "split.k1");
        LABELS.put("split: k2 (responder->initiator)", "split.k2");
    }

    static java.util.stream.Stream<Secp256k1Provider> providers() {
        return Providers.all();
    }

    private static byte[] in(String field) {
        return Vectors.hex(IN.get(field).asText());
    }

    private static Map<String, String> steps() {
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonNode s : V.get("steps")) {
            m.put(s.get("name").asText(), s.get("hex").asText());
        }
        assertEquals(LABELS.keySet(), m.keySet(), "vector step names changed");
        return m;
    }

    private static SignatureNoiseMessage vectorCertificate(Secp256k1Provider p) {
        AuthorityKeyPair authority = AuthorityKeyPair.fromSecret(in("authority_sk"));
        return SignatureNoiseMessage.sign(p, authority, in("responder_static_xonly"),
                IN.get("cert_valid_from").asLong(), IN.get("cert_not_valid_after").asLong(), in("cert_bip340_aux_rand"));
    }

    @ParameterizedTest
    @MethodSource("providers")
    void fullTranscript(Secp256k1Provider p) throws Exception {
        Map<String, String> steps = steps();
        assertEquals(V.get("constants").get("sha256_protocol_name (initial ck)").asText(),
                Vectors.hex(SymmetricState.INITIAL_CK));

        // Keys and certificate.
        StaticKeyPair staticKey = StaticKeyPair.fromSecret(in("responder_static_sk"));
        assertEquals(IN.get("responder_static_xonly").asText(), staticKey.publicKeyHex());
        assertEquals(IN.get("responder_static_xonly").asText(), Vectors.hex(p.ellswiftDecode(in("responder_static_ellswift"))));
        AuthorityKeyPair authority = AuthorityKeyPair.fromSecret(in("authority_sk"));
        assertEquals(IN.get("authority_xonly_pk").asText(), authority.publicKey().toHex());
        assertEquals(V.get("authority_pubkey_base58check").asText(), authority.publicKey().toBase58());
        long validFrom = IN.get("cert_valid_from").asLong();
        long notValidAfter = IN.get("cert_not_valid_after").asLong();
        byte[] staticX = in("responder_static_xonly");
        assertEquals(steps.get("cert: signed preimage version||valid_from||not_valid_after||server_static_xonly"),
                Vectors.hex(SignatureNoiseMessage.signedPreimage(0, validFrom, notValidAfter, staticX)));
        assertEquals(steps.get("cert: m=SHA256(preimage) (BIP340 message)"),
                Vectors.hex(SignatureNoiseMessage.signedHash(0, validFrom, notValidAfter, staticX)));
        SignatureNoiseMessage cert = vectorCertificate(p);
        assertEquals(steps.get("cert: BIP340 signature"), cert.signature().toHex());
        assertEquals(steps.get("cert: SIGNATURE_NOISE_MESSAGE plaintext (74B)"), Vectors.hex(cert.encode()));

        ManualClock clock = ManualClock.ofEpochSecond(IN.get("verify_at_unix_time").asLong());
        Map<String, byte[]> rTrace = new HashMap<>();
        Map<String, byte[]> iTrace = new HashMap<>();
        ServerIdentity identity = ServerIdentity.withCertificate(staticKey, cert)
                .withStaticEllSwiftForTest(in("responder_static_ellswift"));
        NoiseResponder responder = new NoiseResponder(p, identity, clock, in("responder_ephemeral_sk"),
                in("responder_ephemeral_ellswift"), rTrace::put);
        NoiseInitiator initiator = new NoiseInitiator(p, authority.publicKey(), clock, Duration.ofSeconds(10),
                in("initiator_ephemeral_sk"), in("initiator_ephemeral_ellswift"), iTrace::put);

        byte[] act1 = initiator.writeAct1();
        assertEquals(V.get("act1_message_hex").asText(), Vectors.hex(act1));
        byte[] act2 = responder.readAct1WriteAct2(act1);
        assertEquals(V.get("act2_message_hex").asText(), Vectors.hex(act2));
        NoiseSession iSession = initiator.readAct2(act2);
        NoiseSession rSession = responder.session();

        for (Map.Entry<String, String> e : LABELS.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            String expected = steps.get(e.getKey());
            assertEquals(expected, Vectors.hex(rTrace.get(e.getValue())), "responder: " + e.getKey());
            if (!e.getValue().startsWith("act2.enc_")) {
                assertEquals(expected, Vectors.hex(iTrace.get(e.getValue())), "initiator: " + e.getKey());
            }
        }
        assertEquals(steps.get("act2: encrypted static (80B, nonce 0, ad=h)"), java.util.HexFormat.of().formatHex(act2, 64, 144));
        assertEquals(steps.get("act2: encrypted cert (90B, nonce 0, ad=h)"), java.util.HexFormat.of().formatHex(act2, 144, 234));
        assertEquals(steps.get("act2: final handshake hash h"), Vectors.hex(iSession.handshakeHash()));
        assertEquals(steps.get("act2: final handshake hash h"), Vectors.hex(rSession.handshakeHash()));
        assertEquals(cert, initiator.peerCertificate());
        assertArrayEquals(staticX, initiator.peerStaticXonly());

        // Transport frames: header (nonce n) and payload (nonce n+1) as separate AEAD messages.
        JsonNode up = V.get("transport").get(0);
        JsonNode down = V.get("transport").get(1);
        assertFrame(up, iSession.sender(), rSession.receiver());
        assertFrame(down, rSession.sender(), iSession.receiver());
        // The split keys replay the same frames from scratch.
        assertFrame(up, new CipherState(Vectors.hex(steps.get("split: k1 (initiator->responder)"))),
                new CipherState(Vectors.hex(steps.get("split: k1 (initiator->responder)"))));
        assertFrame(down, new CipherState(Vectors.hex(steps.get("split: k2 (responder->initiator)"))),
                new CipherState(Vectors.hex(steps.get("split: k2 (responder->initiator)"))));
    }

    private static void assertFrame(JsonNode t, CipherState sender, CipherState receiver) throws NoiseException {
        byte[] header = Vectors.hex(t.get("plaintext_header").asText());
        byte[] payload = Vectors.hex(t.get("plaintext_payload").asText());
        int len = NoiseConstants.ENCRYPTED_HEADER_LEN + NoiseConstants.encryptedPayloadLength(payload.length);
        assertEquals(t.get("frame_len").asInt(), len);
        byte[] frame = new byte[len];
        sender.encrypt(header, 0, header.length, frame, 0);
        sender.encrypt(payload, 0, payload.length, frame, NoiseConstants.ENCRYPTED_HEADER_LEN);
        assertEquals(t.get("frame_hex").asText(), Vectors.hex(frame));
        assertEquals(2, sender.nonce());
        byte[] h = new byte[6];
        receiver.decrypt(frame, 0, NoiseConstants.ENCRYPTED_HEADER_LEN, h, 0);
        byte[] pl = new byte[payload.length];
        receiver.decrypt(frame, NoiseConstants.ENCRYPTED_HEADER_LEN, len - NoiseConstants.ENCRYPTED_HEADER_LEN, pl, 0);
        assertArrayEquals(header, h);
        assertArrayEquals(payload, pl);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void certificateChecks(Secp256k1Provider p) throws Exception {
        SignatureNoiseMessage cert = vectorCertificate(p);
        byte[] staticX = in("responder_static_xonly");
        for (JsonNode c : V.get("certificate_checks")) {
            AuthorityPublicKey auth = AuthorityPublicKey.fromXonly(Vectors.hex(c.get("authority_xonly").asText()));
            Instant now = Instant.ofEpochSecond(c.get("now").asLong());
            String expected = c.get("expected").asText();
            if (expected.equals("accept")) {
                cert.verify(p, auth, staticX, now, NoiseConstants.DEFAULT_ALLOWED_SKEW);
            } else {
                NoiseException e = assertThrows(NoiseException.class,
                        () -> cert.verify(p, auth, staticX, now, NoiseConstants.DEFAULT_ALLOWED_SKEW), expected);
                assertEquals(expected.contains("expired") ? NoiseException.Reason.CERTIFICATE_EXPIRED
                        : NoiseException.Reason.BAD_CERTIFICATE_SIGNATURE, e.reason(), expected);
            }
        }
    }
}
