package org.hyperhash.sv2.message.mining;

import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * UpdateChannel (extension 0x0000, msg_type 0x16, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param nominalHashRate nominal_hash_rate: F32
 * @param maximumTarget maximum_target: U256 (little-endian target)
 */
public record UpdateChannel(
        int channelId,
        float nominalHashRate,
        Target maximumTarget) implements Sv2Message, Sv2Message.ChannelMessage {

    public UpdateChannel {
        java.util.Objects.requireNonNull(maximumTarget, "maximum_target");
    }

    @Override
    public MessageType type() {
        return MessageType.UPDATE_CHANNEL;
    }
}
