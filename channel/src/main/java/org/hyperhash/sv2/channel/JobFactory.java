package org.hyperhash.sv2.channel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.ByteWriter;
import org.hyperhash.base.Coinbase;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MalformedDataException;
import org.hyperhash.base.Sats;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.template.NewTemplate;

/**
 * Builds {@link JobTemplate}s from a TDP NewTemplate with SRI's coinbase layout
 * (sv2-protocol.md 5.5): version from the template; one input with a null prevout; scriptSig =
 * {@code coinbase_prefix || push("Sv2/<poolTag>/<minerTag>/") || OP_PUSHBYTES_N || full
 * extranonce}; the template's sequence; outputs = pool payouts then template outputs; witness =
 * one 32-byte zero item when the template commits to witnesses; the template's locktime.
 * Immutable and thread-safe; call it once per template on the job dispatcher thread.
 */
public final class JobFactory {
    private static final byte[] WITNESS_COMMITMENT_HEADER = {0x6a, 0x24, (byte) 0xaa, 0x21, (byte) 0xa9, (byte) 0xed};

    private final Bytes tagPush;

    /**
     * @param poolTag pool tag placed in every coinbase (may be empty)
     * @param minerTag miner tag (may be empty); jobs in one group must share it
     */
    public JobFactory(String poolTag, String minerTag) {
        Objects.requireNonNull(poolTag, "poolTag");
        Objects.requireNonNull(minerTag, "minerTag");
        this.tagPush = Coinbase.sv2TagPush(poolTag, minerTag);
    }

    /**
     * @param template TDP NewTemplate
     * @param poolOutputs the pool's payout outputs; their values must sum to
     *     coinbase_tx_value_remaining
     * @param fullExtranonceSize extranonce_prefix + rollable extranonce length (1..32)
     * @throws InvalidTemplateException naming the offending field
     */
    public JobTemplate build(NewTemplate template, List<TxOut> poolOutputs, int fullExtranonceSize)
            throws InvalidTemplateException {
        if (fullExtranonceSize < 1 || fullExtranonceSize > ExtranonceAllocator.MAX_FULL_EXTRANONCE) {
            throw new InvalidTemplateException("full_extranonce_size", "must be 1..32, got " + fullExtranonceSize);
        }
        if (poolOutputs.isEmpty()) {
            throw new InvalidTemplateException("pool_outputs", "at least one payout output is required");
        }
        long sum = 0;
        for (TxOut o : poolOutputs) {
            sum = Math.addExact(sum, o.valueSats());
        }
        if (sum != template.coinbaseTxValueRemaining()) {
            throw new InvalidTemplateException("pool_outputs", "values sum to " + sum
                    + " sat but coinbase_tx_value_remaining is " + Long.toUnsignedString(template.coinbaseTxValueRemaining()));
        }
        if (sum > Sats.MAX_MONEY_SATS) {
            throw new InvalidTemplateException("coinbase_tx_value_remaining", "exceeds MAX_MONEY");
        }
        List<TxOut> templateOutputs;
        try {
            templateOutputs = TxOut.parseConcatenated(template.coinbaseTxOutputs(), template.coinbaseTxOutputsCount());
        } catch (MalformedDataException e) {
            throw new InvalidTemplateException("coinbase_tx_outputs", e.getMessage());
        }
        Bytes cbPrefix = template.coinbasePrefix();
        int scriptSigLength = cbPrefix.length() + tagPush.length() + 1 + fullExtranonceSize;
        if (scriptSigLength > Coinbase.MAX_SCRIPT_SIG_LENGTH) {
            throw new InvalidTemplateException("coinbase_prefix", "scriptSig would be " + scriptSigLength
                    + " bytes (> 100): coinbase_prefix " + cbPrefix.length() + " + tag " + tagPush.length()
                    + " + 1 + extranonce " + fullExtranonceSize);
        }
        List<TxOut> outputs = new ArrayList<>(poolOutputs.size() + templateOutputs.size());
        outputs.addAll(poolOutputs);
        outputs.addAll(templateOutputs);
        boolean segwit = templateOutputs.stream().anyMatch(JobFactory::isWitnessCommitment);

        ByteWriter p = new ByteWriter(64 + cbPrefix.length());
        p.u32Le(template.coinbaseTxVersion());
        p.u8(1); // one input
        p.hash(Hash256.ZERO).u32Le(-1);
        p.compactSize(scriptSigLength);
        p.bytes(cbPrefix).bytes(tagPush).u8(fullExtranonceSize); // OP_PUSHBYTES_N (N <= 32 < 76)

        ByteWriter s = new ByteWriter(256);
        s.u32Le(template.coinbaseTxInputSequence());
        s.compactSize(outputs.size());
        for (TxOut o : outputs) {
            o.writeTo(s);
        }
        s.u32Le(template.coinbaseTxLocktime());
        return new JobTemplate(template.templateId(), template.futureTemplate(), template.version(), template.merklePath(),
                fullExtranonceSize, p.toBytes(), s.toBytes(), segwit, outputs);
    }

    /** BIP141 witness commitment output: OP_RETURN 0x24 aa21a9ed + 32 bytes (possibly more). */
    static boolean isWitnessCommitment(TxOut o) {
        byte[] s = o.scriptPubKey().unsafeArray();
        if (s.length < 38) {
            return false;
        }
        for (int i = 0; i < WITNESS_COMMITMENT_HEADER.length; i++) {
            if (s[i] != WITNESS_COMMITMENT_HEADER[i]) {
                return false;
            }
        }
        return true;
    }

}
