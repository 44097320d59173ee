package org.hyperhash.sv2.message.mining;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetCustomMiningJob.Success (extension 0x0000, msg_type 0x23, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param jobId job_id: U32 (unsigned, held in an int)
 */
public record SetCustomMiningJobSuccess(
        int channelId,
        int requestId,
        int jobId) implements Sv2Message, Sv2Message.ChannelMessage {

    @Override
    public MessageType type() {
        return MessageType.SET_CUSTOM_MINING_JOB_SUCCESS;
    }
}
