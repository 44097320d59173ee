package org.hyperhash.sv2.noise;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Startup self-test for a {@link Secp256k1Provider}: embedded rows of the BIP324 and BIP340 test vectors
 * (bitcoin/bips bip-0324/*.csv, bip-0340/test-vectors.csv) plus a create/decode round trip. A provider that
 * fails is never used.
 */
final class SelfTest {
    private static final HexFormat HEX = HexFormat.of();

    private SelfTest() {
    }

    private static byte[] h(String s) {
        return HEX.parseHex(s.toLowerCase(java.util.Locale.ROOT));
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("secp256k1 self-test failed: " + what);
        }
    }

    static void run(Secp256k1Provider p) {
        // BIP340 vector 1: sign with aux_rand and verify.
        byte[] sk = h("B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF");
        byte[] pk = h("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659");
        byte[] aux = h("0000000000000000000000000000000000000000000000000000000000000001");
        byte[] msg = h("243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89");
        byte[] sig = h("6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE3341"
                + "8906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A");
        check(Arrays.equals(p.xonlyPublicKey(sk), pk), "BIP340 #1 public key");
        check(Arrays.equals(p.signSchnorr(msg, sk, aux), sig), "BIP340 #1 signature");
        check(p.verifySchnorr(sig, msg, pk), "BIP340 #1 verify");
        // BIP340 vector 7 (negated message) must not verify.
        byte[] msgNeg = h("243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89");
        byte[] sigNeg = h("1FA62E331EDBC21C394792D2AB1100A7B432B013DF3F6FF4F99FCB33E0E1515F"
                + "28890B3EDB6E7189B630448B515CE4F8622A954CFE545735AAEA5134FCCDB2BD");
        check(!p.verifySchnorr(sigNeg, msgNeg, pk), "BIP340 #7 rejects");
        // BIP340 vector 15: empty message.
        byte[] sk15 = h("0340034003400340034003400340034003400340034003400340034003400340");
        byte[] sig15 = h("71535DB165ECD9FBBC046E5FFAEA61186BB6AD436732FCCC25291A55895464CF"
                + "6069CE26BF03466228F19A3A62DB8A649F2D560FAC652827D1AF0574E427AB63");
        check(Arrays.equals(p.signSchnorr(new byte[0], sk15, new byte[32]), sig15), "BIP340 #15 signature");

        // BIP324 ElligatorSwift decode vector (u%p=0, (u'^3-t'^2+7)%p=0, valid_x(x3)).
        check(Arrays.equals(p.ellswiftDecode(h(
                "0000000000000000000000000000000000000000000000000000000000000000"
                        + "bde70df51939b94c9c24979fa7dd04ebd9b3572da7802290438af2a681895441")),
                h("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa9fffffd6b")), "EllSwift decode");

        // BIP324 packet vector in_idx=1 (initiating) and in_idx=999 (responding).
        check(Arrays.equals(p.ellswiftXdh(
                h("ec0adff257bbfe500c188c80b4fdd640f6b45a482bbc15fc7cef5931deff0aa1"
                        + "86f6eb9bba7b85dc4dcc28b28722de1e3d9108b985e2967045668f66098e475b"),
                h("a4a94dfce69b4a2a0a099313d10f9f7e7d649d60501c9e1d274c300e0d89aafa"
                        + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff8faf88d5"),
                h("61062ea5071d800bbfd59e2e8b53d47d194b095ae5a4df04936b49772ef0d4d7"), true),
                h("c6992a117f5edbea70c3f511d32d26b9798be4b81a62eaee1a5acaa8459a3592")), "BIP324 xdh #1");
        check(Arrays.equals(p.ellswiftXdh(
                h("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"
                        + "0000000000000000000000000000000000000000000000000000000000000000"),
                h("a8785af31c029efc82fa9fc677d7118031358d7c6a25b5779a9b900e5ccd94aa"
                        + "c97eb36a3c5dbcdb2ca5843cc4c2fe0aaa46d10eb3d233a81c3dde476da00eef"),
                h("6f312890ec83bbb26798abaadd574684a53e74ccef7953b790fcc29409080246"), false),
                h("a6f79eb08243b6f65dbe42bfe4a6cf3f131d6963fa5d06c770a18f7b9c489b78")), "BIP324 xdh #999");

        // Own encodings decode to our x-only key.
        byte[] ell = p.ellswiftCreate(sk, aux);
        check(Arrays.equals(p.ellswiftDecode(ell), pk), "EllSwift create/decode round trip");
    }
}
