package org.hyperhash.sv2.message.common;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * ChannelEndpointChanged (extension 0x0000, msg_type 0x03, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 */
public record ChannelEndpointChanged(
        int channelId) implements Sv2Message, Sv2Message.ChannelMessage {

    @Override
    public MessageType type() {
        return MessageType.CHANNEL_ENDPOINT_CHANGED;
    }
}
