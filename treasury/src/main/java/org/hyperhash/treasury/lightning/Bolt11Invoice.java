package org.hyperhash.treasury.lightning;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.OptionalLong;
import org.bitcoinj.base.Sha256Hash;
import org.bitcoinj.crypto.ECKey;

/**
 * A decoded and signature-checked BOLT11 payment request (the fields a payer needs). {@link #decode} rejects
 * malformed input with {@link InvalidInvoice} naming the field; it never returns a partially valid invoice.
 *
 * @param network        "bc", "tb", "tbs" or "bcrt" (the currency prefix)
 * @param amountMsat     the requested amount, empty for a zero-amount invoice
 * @param paymentHashHex 32-byte payment hash (tag p)
 * @param descriptionHashHex 32-byte description hash (tag h), or null
 * @param description    tag d, or null
 * @param expirySeconds  tag x (default 3600)
 * @param payeePubkeyHex the 33-byte node key that signed it (tag n if present, else recovered)
 */
public record Bolt11Invoice(String paymentRequest, String network, OptionalLong amountMsat, long timestampSeconds,
                            String paymentHashHex, String descriptionHashHex, String description, long expirySeconds,
                            String payeePubkeyHex) {
    /** Real invoices are well under 2,000 characters; LND caps them around 7,089. */
    public static final int MAX_LENGTH = 7089;
    private static final HexFormat HEX = HexFormat.of();

    /** A payment request that does not decode or verify. */
    public static final class InvalidInvoice extends IllegalArgumentException {
        public InvalidInvoice(String message) {
            super("invalid BOLT11 invoice: " + message);
        }
    }

    /** True when the invoice has expired at {@code nowSeconds}. */
    public boolean expiredAt(long nowSeconds) {
        return nowSeconds >= timestampSeconds + expirySeconds;
    }

    /** Decodes and verifies {@code pr} (with or without a {@code lightning:} prefix). */
    public static Bolt11Invoice decode(String pr) {
        if (pr == null) {
            throw new InvalidInvoice("missing");
        }
        String s = pr.strip();
        if (s.toLowerCase(Locale.ROOT).startsWith("lightning:")) {
            s = s.substring("lightning:".length());
        }
        Bech32Words.Decoded d;
        try {
            d = Bech32Words.decode(s, MAX_LENGTH);
        } catch (IllegalArgumentException e) {
            throw new InvalidInvoice(e.getMessage());
        }
        String hrp = d.hrp();
        if (!hrp.startsWith("ln")) {
            throw new InvalidInvoice("prefix must start with 'ln'");
        }
        String rest = hrp.substring(2);
        String network = null;
        for (String n : new String[] {"bcrt", "tbs", "bc", "tb"}) {
            if (rest.startsWith(n)) {
                network = n;
                break;
            }
        }
        if (network == null) {
            throw new InvalidInvoice("unknown currency prefix in '" + hrp + "'");
        }
        OptionalLong amount = parseAmount(rest.substring(network.length()));
        byte[] w = d.words();
        if (w.length < 7 + 104) {
            throw new InvalidInvoice("too short");
        }
        long timestamp = readInt(w, 0, 7);
        int end = w.length - 104;
        String paymentHash = null;
        String descHash = null;
        String description = null;
        String payee = null;
        long expiry = 3600;
        int i = 7;
        while (i < end) {
            if (i + 3 > end) {
                throw new InvalidInvoice("truncated tagged field");
            }
            int type = w[i];
            int len = (int) readInt(w, i + 1, 2);
            int dataStart = i + 3;
            if (dataStart + len > end) {
                throw new InvalidInvoice("tagged field overruns the data");
            }
            switch (type) {
                case 1 -> { // p
                    if (len == 52) {
                        if (paymentHash != null) {
                            throw new InvalidInvoice("more than one payment hash");
                        }
                        paymentHash = HEX.formatHex(bytes(w, dataStart, len));
                    }
                }
                case 23 -> { // h
                    if (len == 52) {
                        descHash = HEX.formatHex(bytes(w, dataStart, len));
                    }
                }
                case 13 -> description = new String(bytes(w, dataStart, len), StandardCharsets.UTF_8); // d
                case 6 -> expiry = readInt(w, dataStart, Math.min(len, 12)); // x
                case 19 -> { // n
                    if (len == 53) {
                        payee = HEX.formatHex(bytes(w, dataStart, len));
                    }
                }
                default -> {
                    // other fields (s, c, f, r, 9, m) are not needed to pay
                }
            }
            i = dataStart + len;
        }
        if (paymentHash == null) {
            throw new InvalidInvoice("payment hash (p) missing");
        }
        if (description == null && descHash == null) {
            throw new InvalidInvoice("neither description (d) nor description hash (h)");
        }
        byte[] sig = Bech32Words.convertBits(w, end, 104, 5, 8, true);
        byte[] sig65 = Arrays.copyOf(sig, 65);
        byte[] signed = signedData(hrp, w, end);
        Sha256Hash msg = Sha256Hash.of(signed);
        int recId = sig65[64] & 0xff;
        if (recId > 3) {
            throw new InvalidInvoice("signature recovery id out of range");
        }
        ECKey.ECDSASignature es = new ECKey.ECDSASignature(new BigInteger(1, Arrays.copyOfRange(sig65, 0, 32)),
                new BigInteger(1, Arrays.copyOfRange(sig65, 32, 64)));
        ECKey recovered;
        try {
            recovered = ECKey.recoverFromSignature(recId, es, msg, true);
        } catch (RuntimeException e) {
            recovered = null;
        }
        if (recovered == null) {
            throw new InvalidInvoice("signature does not verify");
        }
        String recHex = HEX.formatHex(recovered.getPubKey());
        if (payee != null && !payee.equals(recHex)) {
            throw new InvalidInvoice("signature does not match the payee node key (n)");
        }
        return new Bolt11Invoice(s, network, amount, timestamp, paymentHash, descHash, description, expiry, recHex);
    }

    /**
     * Encodes and signs an invoice (used by the test stand-in and LNURL tests; the treasury never issues invoices).
     */
    public static String encode(String network, OptionalLong amountMsat, long timestampSeconds, byte[] paymentHash32,
                                String description, byte[] descriptionHash32, long expirySeconds, ECKey nodeKey) {
        String hrp = "ln" + network + (amountMsat.isPresent() ? amountHrp(amountMsat.getAsLong()) : "");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        writeInt(out, timestampSeconds, 7);
        tag(out, 1, Bech32Words.convertBits(paymentHash32, 0, 32, 8, 5, true));
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        tag(out, 16, Bech32Words.convertBits(secret, 0, 32, 8, 5, true));
        if (description != null) {
            byte[] db = description.getBytes(StandardCharsets.UTF_8);
            tag(out, 13, Bech32Words.convertBits(db, 0, db.length, 8, 5, true));
        }
        if (descriptionHash32 != null) {
            tag(out, 23, Bech32Words.convertBits(descriptionHash32, 0, 32, 8, 5, true));
        }
        java.io.ByteArrayOutputStream x = new java.io.ByteArrayOutputStream();
        int n = 1;
        while (n < 12 && (expirySeconds >>> (5 * n)) != 0) {
            n++;
        }
        writeInt(x, expirySeconds, n);
        tag(out, 6, x.toByteArray());
        byte[] words = out.toByteArray();
        Sha256Hash msg = Sha256Hash.of(signedData(hrp, words, words.length));
        ECKey.ECDSASignature s = nodeKey.sign(msg);
        int recId = -1;
        for (int r = 0; r < 4; r++) {
            ECKey k = ECKey.recoverFromSignature(r, s, msg, true);
            if (k != null && Arrays.equals(k.getPubKey(), nodeKey.getPubKey())) {
                recId = r;
                break;
            }
        }
        byte[] sig = new byte[65];
        byte[] rb = s.r.toByteArray();
        byte[] sb = s.s.toByteArray();
        System.arraycopy(rb, Math.max(0, rb.length - 32), sig, 32 - Math.min(32, rb.length), Math.min(32, rb.length));
        System.arraycopy(sb, Math.max(0, sb.length - 32), sig, 64 - Math.min(32, sb.length), Math.min(32, sb.length));
        sig[64] = (byte) recId;
        byte[] sigWords = Bech32Words.convertBits(sig, 0, 65, 8, 5, true);
        byte[] all = Arrays.copyOf(words, words.length + sigWords.length);
        System.arraycopy(sigWords, 0, all, words.length, sigWords.length);
        return Bech32Words.encode(hrp, all);
    }

    private static String amountHrp(long msat) {
        if (msat <= 0) {
            throw new IllegalArgumentException("amount must be > 0");
        }
        if (msat % 100_000_000L == 0) {
            return (msat / 100_000_000L) + "m";
        }
        if (msat % 100_000L == 0) {
            return (msat / 100_000L) + "u";
        }
        if (msat % 100L == 0) {
            return (msat / 100L) + "n";
        }
        return Math.multiplyExact(msat, 10L) + "p";
    }

    private static void tag(java.io.ByteArrayOutputStream out, int type, byte[] data) {
        out.write(type);
        writeInt(out, data.length, 2);
        out.writeBytes(data);
    }

    private static void writeInt(java.io.ByteArrayOutputStream out, long v, int words) {
        for (int i = words - 1; i >= 0; i--) {
            out.write((int) ((v >>> (5 * i)) & 31));
        }
    }

    private static OptionalLong parseAmount(String a) {
        if (a.isEmpty()) {
            return OptionalLong.empty();
        }
        char last = a.charAt(a.length() - 1);
        String digits = Character.isDigit(last) ? a : a.substring(0, a.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 18
                || (digits.length() > 1 && digits.charAt(0) == '0')) {
            throw new InvalidInvoice("amount '" + a + "' is not a positive decimal");
        }
        long n = Long.parseLong(digits);
        if (n == 0) {
            throw new InvalidInvoice("amount must be > 0");
        }
        try {
            long msat = switch (Character.isDigit(last) ? ' ' : last) {
                case ' ' -> Math.multiplyExact(n, 100_000_000_000L);
                case 'm' -> Math.multiplyExact(n, 100_000_000L);
                case 'u' -> Math.multiplyExact(n, 100_000L);
                case 'n' -> Math.multiplyExact(n, 100L);
                case 'p' -> {
                    if (n % 10 != 0) {
                        throw new InvalidInvoice("pico-BTC amount is not a whole millisatoshi");
                    }
                    yield n / 10;
                }
                default -> throw new InvalidInvoice("unknown amount multiplier '" + last + "'");
            };
            if (msat > 21_000_000L * 100_000_000_000L) {
                throw new InvalidInvoice("amount exceeds 21M BTC");
            }
            return OptionalLong.of(msat);
        } catch (ArithmeticException e) {
            throw new InvalidInvoice("amount overflows");
        }
    }

    private static long readInt(byte[] w, int off, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 5) | (w[off + i] & 31);
        }
        return v;
    }

    private static byte[] bytes(byte[] w, int off, int len) {
        byte[] b = Bech32Words.convertBits(w, off, len, 5, 8, true);
        int n = len * 5 / 8;
        return Arrays.copyOf(b, n);
    }

    private static byte[] signedData(String hrp, byte[] words, int end) {
        byte[] data = Bech32Words.convertBits(words, 0, end, 5, 8, true);
        byte[] h = hrp.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(h, h.length + data.length);
        System.arraycopy(data, 0, out, h.length, data.length);
        return out;
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
