package org.hyperhash.sv2.message.mining;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SubmitSharesStandard (extension 0x0000, msg_type 0x1a, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param sequenceNumber sequence_number: U32 (unsigned, held in an int)
 * @param jobId job_id: U32 (unsigned, held in an int)
 * @param nonce nonce: U32 (unsigned, held in an int)
 * @param ntime ntime: U32 (unsigned, held in an int)
 * @param version version: U32 (unsigned, held in an int)
 */
public record SubmitSharesStandard(
        int channelId,
        int sequenceNumber,
        int jobId,
        int nonce,
        int ntime,
        int version) implements Sv2Message, Sv2Message.ChannelMessage {

    @Override
    public MessageType type() {
        return MessageType.SUBMIT_SHARES_STANDARD;
    }
}
