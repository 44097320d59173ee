package org.hyperhash.sv2.message.mining;

import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetTarget (extension 0x0000, msg_type 0x21, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param maximumTarget maximum_target: U256 (little-endian target)
 */
public record SetTarget(
        int channelId,
        Target maximumTarget) implements Sv2Message, Sv2Message.ChannelMessage {

    public SetTarget {
        java.util.Objects.requireNonNull(maximumTarget, "maximum_target");
    }

    @Override
    public MessageType type() {
        return MessageType.SET_TARGET;
    }
}
