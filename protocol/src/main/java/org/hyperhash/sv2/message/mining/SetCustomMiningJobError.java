package org.hyperhash.sv2.message.mining;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetCustomMiningJob.Error (extension 0x0000, msg_type 0x24, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param errorCode error_code: STR0_255
 */
public record SetCustomMiningJobError(
        int channelId,
        int requestId,
        String errorCode) implements Sv2Message, Sv2Message.ChannelMessage {

    public SetCustomMiningJobError {
        Sv2Message.checkStr0255("error_code", errorCode);
    }

    @Override
    public MessageType type() {
        return MessageType.SET_CUSTOM_MINING_JOB_ERROR;
    }
}
