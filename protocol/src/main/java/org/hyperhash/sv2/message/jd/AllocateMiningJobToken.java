package org.hyperhash.sv2.message.jd;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * AllocateMiningJobToken (extension 0x0000, msg_type 0x50, channel_msg bit 0).
 *
 * @param userIdentifier user_identifier: STR0_255
 * @param requestId request_id: U32 (unsigned, held in an int)
 */
public record AllocateMiningJobToken(
        String userIdentifier,
        int requestId) implements Sv2Message {

    public AllocateMiningJobToken {
        Sv2Message.checkStr0255("user_identifier", userIdentifier);
    }

    @Override
    public MessageType type() {
        return MessageType.ALLOCATE_MINING_JOB_TOKEN;
    }
}
