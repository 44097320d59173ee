package org.hyperhash.sv2.message.mining;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SubmitShares.Success (extension 0x0000, msg_type 0x1c, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param lastSequenceNumber last_sequence_number: U32 (unsigned, held in an int)
 * @param newSubmitsAcceptedCount new_submits_accepted_count: U32 (unsigned, held in an int)
 * @param newSharesSum new_shares_sum: U64 (unsigned, held in a long)
 */
public record SubmitSharesSuccess(
        int channelId,
        int lastSequenceNumber,
        int newSubmitsAcceptedCount,
        long newSharesSum) implements Sv2Message, Sv2Message.ChannelMessage {

    @Override
    public MessageType type() {
        return MessageType.SUBMIT_SHARES_SUCCESS;
    }
}
