package org.hyperhash.sv2.message.mining;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * UpdateChannel.Error (extension 0x0000, msg_type 0x17, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param errorCode error_code: STR0_255
 */
public record UpdateChannelError(
        int channelId,
        String errorCode) implements Sv2Message, Sv2Message.ChannelMessage {

    public UpdateChannelError {
        Sv2Message.checkStr0255("error_code", errorCode);
    }

    @Override
    public MessageType type() {
        return MessageType.UPDATE_CHANNEL_ERROR;
    }
}
