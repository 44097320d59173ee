package org.hyperhash.pool.jds;

import java.util.List;
import org.hyperhash.base.ByteReader;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.TxOut;

/**
 * The coinbase a job declarator client declared (DeclareMiningJob coinbase_tx_prefix / coinbase_tx_suffix, BIP141
 * form or legacy): {@code prefix || full extranonce || suffix} is the whole transaction. Parsed once; the JDS keeps
 * the parts the mining port compares SetCustomMiningJob with.
 *
 * @param version coinbase tx version
 * @param scriptSigPrefix the scriptSig bytes before the extranonce (SetCustomMiningJob.coinbase_prefix)
 * @param extranonceSize full extranonce length the coinbase leaves room for
 * @param sequence the input's nSequence
 * @param outputs every output in order
 * @param locktime nLockTime
 * @param segwit the prefix carries the BIP141 marker and flag (and the suffix the coinbase witness)
 * @param prefix the declared prefix as received
 * @param suffix the declared suffix as received
 */
public record DeclaredCoinbase(int version, Bytes scriptSigPrefix, int extranonceSize, int sequence, List<TxOut> outputs,
        int locktime, boolean segwit, Bytes prefix, Bytes suffix) {

    /** A declared coinbase that is not a well-formed coinbase transaction; the message says which part. */
    public static final class InvalidCoinbaseException extends Exception {
        public InvalidCoinbaseException(String message) {
            super(message);
        }
    }

    public DeclaredCoinbase {
        outputs = List.copyOf(outputs);
    }

    /** Parses the two halves; throws naming what is wrong (never for a well-formed coinbase). */
    public static DeclaredCoinbase parse(Bytes prefix, Bytes suffix) throws InvalidCoinbaseException {
        try {
            ByteReader r = new ByteReader(prefix.unsafeArray());
            int version = r.u32Le("coinbase version");
            boolean segwit = false;
            if (r.remaining() >= 2 && prefix.get(4) == 0 && prefix.get(5) == 1) {
                r.skip(2, "segwit marker");
                segwit = true;
            }
            if (r.compactSize("input count") != 1) {
                throw new InvalidCoinbaseException("a coinbase has exactly one input");
            }
            byte[] prevout = r.bytes(36, "prevout");
            for (int i = 0; i < 32; i++) {
                if (prevout[i] != 0) {
                    throw new InvalidCoinbaseException("coinbase input prevout is not null");
                }
            }
            for (int i = 32; i < 36; i++) {
                if (prevout[i] != (byte) 0xff) {
                    throw new InvalidCoinbaseException("coinbase input prevout index is not 0xffffffff");
                }
            }
            long scriptSigLength = r.compactSize("scriptSig length");
            int scriptPrefixLength = r.remaining();
            long extranonce = scriptSigLength - scriptPrefixLength;
            if (scriptSigLength > 100 || extranonce < 0 || extranonce > 32) {
                throw new InvalidCoinbaseException("scriptSig length " + scriptSigLength + " with a " + scriptPrefixLength
                        + "-byte prefix leaves no room for an extranonce of 0..32 bytes (or exceeds 100 bytes)");
            }
            Bytes scriptSigPrefix = Bytes.wrap(r.bytes(scriptPrefixLength, "scriptSig prefix"));

            ByteReader s = new ByteReader(suffix.unsafeArray());
            int sequence = s.u32Le("sequence");
            long n = s.compactSize("output count");
            if (n < 1 || n > 10_000) {
                throw new InvalidCoinbaseException("coinbase output count " + n);
            }
            List<TxOut> outputs = new java.util.ArrayList<>((int) n);
            for (int i = 0; i < n; i++) {
                outputs.add(TxOut.read(s));
            }
            if (segwit) {
                long items = s.compactSize("witness items");
                if (items != 1 || s.compactSize("witness item length") != 32) {
                    throw new InvalidCoinbaseException("coinbase witness must be one 32-byte item");
                }
                s.skip(32, "witness");
            }
            int locktime = s.u32Le("locktime");
            if (s.remaining() != 0) {
                throw new InvalidCoinbaseException(s.remaining() + " bytes after the coinbase locktime");
            }
            return new DeclaredCoinbase(version, scriptSigPrefix, (int) extranonce, sequence, outputs, locktime, segwit,
                    prefix, suffix);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new InvalidCoinbaseException("truncated or malformed coinbase: " + e.getMessage());
        }
    }

    /** The whole coinbase (in the declared form) for {@code fullExtranonce}. */
    public Bytes withExtranonce(Bytes fullExtranonce) {
        if (fullExtranonce.length() != extranonceSize) {
            throw new IllegalArgumentException("extranonce must be " + extranonceSize + " bytes, got "
                    + fullExtranonce.length());
        }
        return prefix.concat(fullExtranonce).concat(suffix);
    }

    /** The outputs as SetCustomMiningJob.coinbase_tx_outputs carries them (CompactSize count first). */
    public Bytes countedOutputs() {
        return TxOut.serializeCounted(outputs);
    }
}
