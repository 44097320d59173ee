package org.hyperhash.sv2.message.template;

import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetNewPrevHash (extension 0x0000, msg_type 0x72, channel_msg bit 0).
 *
 * @param templateId template_id: U64 (unsigned, held in a long)
 * @param prevHash prev_hash: U256 (hash, wire order)
 * @param headerTimestamp header_timestamp: U32 (unsigned, held in an int)
 * @param nBits n_bits: U32 (unsigned, held in an int)
 * @param target target: U256 (little-endian target)
 */
public record SetNewPrevHash(
        long templateId,
        Hash256 prevHash,
        int headerTimestamp,
        int nBits,
        Target target) implements Sv2Message {

    public SetNewPrevHash {
        java.util.Objects.requireNonNull(prevHash, "prev_hash");
        java.util.Objects.requireNonNull(target, "target");
    }

    @Override
    public MessageType type() {
        return MessageType.SET_NEW_PREV_HASH_TDP;
    }
}
