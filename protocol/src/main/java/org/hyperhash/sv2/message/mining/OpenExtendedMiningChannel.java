package org.hyperhash.sv2.message.mining;

import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * OpenExtendedMiningChannel (extension 0x0000, msg_type 0x13, channel_msg bit 0).
 *
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param userIdentity user_identity: STR0_255
 * @param nominalHashRate nominal_hash_rate: F32
 * @param maxTarget max_target: U256 (little-endian target)
 * @param minExtranonceSize min_extranonce_size: U16
 */
public record OpenExtendedMiningChannel(
        int requestId,
        String userIdentity,
        float nominalHashRate,
        Target maxTarget,
        int minExtranonceSize) implements Sv2Message {

    public OpenExtendedMiningChannel {
        Sv2Message.checkStr0255("user_identity", userIdentity);
        java.util.Objects.requireNonNull(maxTarget, "max_target");
        Sv2Message.checkRange("min_extranonce_size", minExtranonceSize, 0xFFFF);
    }

    @Override
    public MessageType type() {
        return MessageType.OPEN_EXTENDED_MINING_CHANNEL;
    }
}
