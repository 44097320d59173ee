package org.hyperhash.sv2.message.mining;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * CloseChannel (extension 0x0000, msg_type 0x18, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param reasonCode reason_code: STR0_255
 */
public record CloseChannel(
        int channelId,
        String reasonCode) implements Sv2Message, Sv2Message.ChannelMessage {

    public CloseChannel {
        Sv2Message.checkStr0255("reason_code", reasonCode);
    }

    @Override
    public MessageType type() {
        return MessageType.CLOSE_CHANNEL;
    }
}
