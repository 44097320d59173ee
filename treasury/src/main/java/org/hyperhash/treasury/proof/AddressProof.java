package org.hyperhash.treasury.proof;

import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bitcoinj.base.Address;
import org.bitcoinj.base.AddressParser;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.LegacyAddress;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.base.SegwitAddress;
import org.bitcoinj.base.exceptions.AddressFormatException;
import org.bitcoinj.crypto.ECKey;
import org.bitcoinj.crypto.internal.CryptoUtils;

/**
 * Proof that a miner controls its payout address before a destination is set: a "Bitcoin Signed Message"
 * (BIP137 compact signature, as Bitcoin Core {@code signmessage}, Electrum, Sparrow, Trezor produce) over a
 * challenge naming the address, destination and a timestamp.
 *
 * <p>Supported: P2PKH (headers 27-34), P2SH-P2WPKH (35-38), P2WPKH (39-42), and the common wallet variant that
 * signs segwit addresses with the P2PKH-compressed header (31-34): the recovered key must hash to the address.
 * Not supported: P2TR, P2WSH and multisig P2SH (they need full BIP322 script verification) - these are refused
 * with a message saying so.
 */
public final class AddressProof {
    /** First line of every challenge. */
    public static final String PREFIX = "hyperhash payout destination v1";

    private final BitcoinNetwork network;
    private final long maxSkewSeconds;

    /** A proof that does not verify, with the reason. */
    public static final class InvalidProof extends Exception {
        public InvalidProof(String message) {
            super(message);
        }
    }

    public AddressProof(BitcoinNetwork network, long maxSkewSeconds) {
        this.network = network;
        this.maxSkewSeconds = maxSkewSeconds;
    }

    /** The text the miner signs. */
    public static String challenge(String address, String kind, String destination, long unixSeconds) {
        return PREFIX + "\naddress: " + address + "\nkind: " + kind + "\ndestination: " + destination + "\ntimestamp: " + unixSeconds;
    }

    /** Parses a challenge into its fields (address, kind, destination, timestamp). */
    public static Map<String, String> parse(String message) throws InvalidProof {
        String[] lines = message.split("\n", -1);
        if (lines.length != 5 || !lines[0].equals(PREFIX)) {
            throw new InvalidProof("signed message is not a hyperhash destination challenge");
        }
        Map<String, String> m = new LinkedHashMap<>();
        String[] keys = {"address", "kind", "destination", "timestamp"};
        for (int i = 0; i < 4; i++) {
            String p = keys[i] + ": ";
            if (!lines[i + 1].startsWith(p)) {
                throw new InvalidProof("signed message line " + (i + 2) + " must start with '" + p + "'");
            }
            m.put(keys[i], lines[i + 1].substring(p.length()));
        }
        return m;
    }

    /** Parses an address of our network or throws naming the problem. */
    public Address parseAddress(String address) throws InvalidProof {
        try {
            Address a = AddressParser.getDefault(network).parseAddress(address);
            return a;
        } catch (AddressFormatException e) {
            throw new InvalidProof("'" + address + "' is not a valid " + network + " address: " + e.getMessage());
        }
    }

    /**
     * Verifies that {@code signatureBase64} signs {@code message} with the key of {@code address}, that the
     * message names exactly this address, kind and destination, and that its timestamp is within the allowed
     * skew of {@code nowSeconds} and newer than {@code lastTimestampSeconds} (replay protection).
     */
    public void verify(String address, String kind, String destination, String message, String signatureBase64,
                       long nowSeconds, long lastTimestampSeconds) throws InvalidProof {
        Map<String, String> f = parse(message);
        if (!f.get("address").equals(address) || !f.get("kind").equals(kind) || !f.get("destination").equals(destination)) {
            throw new InvalidProof("signed message names a different address, kind or destination");
        }
        long ts;
        try {
            ts = Long.parseLong(f.get("timestamp"));
        } catch (NumberFormatException e) {
            throw new InvalidProof("signed message timestamp is not a number");
        }
        if (Math.abs(nowSeconds - ts) > maxSkewSeconds) {
            throw new InvalidProof("signed message timestamp is more than " + maxSkewSeconds + " s from now");
        }
        if (ts <= lastTimestampSeconds) {
            throw new InvalidProof("signed message is not newer than the current destination's proof (replay?)");
        }
        Address a = parseAddress(address);
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signatureBase64.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidProof("signature is not base64");
        }
        if (sig.length != 65) {
            throw new InvalidProof("signature must be 65 bytes (BIP137 compact), got " + sig.length);
        }
        int header = sig[0] & 0xff;
        if (header < 27 || header > 42) {
            throw new InvalidProof("signature header byte " + header + " is not BIP137 (27..42)");
        }
        ECKey key;
        try {
            key = ECKey.signedMessageToKey(message, signatureBase64.strip());
        } catch (SignatureException | RuntimeException e) {
            throw new InvalidProof("signature does not verify: " + e.getMessage());
        }
        byte[] pkh = key.getPubKeyHash();
        ScriptType type = a.getOutputScriptType();
        boolean ok = switch (type) {
            case P2PKH -> header <= 34 && Arrays.equals(((LegacyAddress) a).getHash(), pkh);
            case P2WPKH -> key.isCompressed() && (header >= 39 || (header >= 31 && header <= 34))
                    && Arrays.equals(((SegwitAddress) a).getHash(), pkh);
            case P2SH -> key.isCompressed() && ((header >= 35 && header <= 38) || (header >= 31 && header <= 34))
                    && Arrays.equals(((LegacyAddress) a).getHash(), CryptoUtils.sha256hash160(p2wpkhScript(pkh)));
            default -> throw new InvalidProof("address type " + type + " is not supported: only P2PKH, P2SH-P2WPKH and P2WPKH "
                    + "(BIP137 signed messages); P2TR/P2WSH would need BIP322");
        };
        if (!ok) {
            throw new InvalidProof("signature was made by a key that does not control " + address);
        }
    }

    private static byte[] p2wpkhScript(byte[] pkh) {
        byte[] s = new byte[22];
        s[0] = 0x00;
        s[1] = 0x14;
        System.arraycopy(pkh, 0, s, 2, 20);
        return s;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
