package org.hyperhash.sv2.channel;

import java.util.Objects;
import org.hyperhash.base.CompactBits;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.template.SetNewPrevHash;

/**
 * The chain tip jobs build on (from TDP SetNewPrevHash).
 *
 * @param templateId the future template this tip activates
 * @param prevHash previous block hash (wire order)
 * @param headerTimestamp nTime to start at; also the lower bound for share ntime
 * @param nbits compact network target
 * @param networkTarget block target (may be below the nbits target, per TDP)
 */
public record ChainTip(long templateId, Hash256 prevHash, int headerTimestamp, int nbits, Target networkTarget) {
    public ChainTip {
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(networkTarget, "networkTarget");
    }

    /** From the TDP message; the block target is the lower of the message target and the nbits target. */
    public static ChainTip from(SetNewPrevHash m) {
        Target fromBits = CompactBits.toTarget(m.nBits());
        Target t = m.target().isZero() ? fromBits : m.target().min(fromBits);
        return new ChainTip(m.templateId(), m.prevHash(), m.headerTimestamp(), m.nBits(), t);
    }

    /** Tip whose block target is the nbits target. */
    public static ChainTip of(long templateId, Hash256 prevHash, int headerTimestamp, int nbits) {
        return new ChainTip(templateId, prevHash, headerTimestamp, nbits, CompactBits.toTarget(nbits));
    }
}
