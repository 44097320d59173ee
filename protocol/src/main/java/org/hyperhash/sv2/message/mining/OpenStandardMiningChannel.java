package org.hyperhash.sv2.message.mining;

import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * OpenStandardMiningChannel (extension 0x0000, msg_type 0x10, channel_msg bit 0).
 *
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param userIdentity user_identity: STR0_255
 * @param nominalHashRate nominal_hash_rate: F32
 * @param maxTarget max_target: U256 (little-endian target)
 */
public record OpenStandardMiningChannel(
        int requestId,
        String userIdentity,
        float nominalHashRate,
        Target maxTarget) implements Sv2Message {

    public OpenStandardMiningChannel {
        Sv2Message.checkStr0255("user_identity", userIdentity);
        java.util.Objects.requireNonNull(maxTarget, "max_target");
    }

    @Override
    public MessageType type() {
        return MessageType.OPEN_STANDARD_MINING_CHANNEL;
    }
}
