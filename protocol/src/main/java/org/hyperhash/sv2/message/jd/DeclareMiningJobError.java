package org.hyperhash.sv2.message.jd;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * DeclareMiningJob.Error (extension 0x0000, msg_type 0x59, channel_msg bit 0).
 *
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param errorCode error_code: STR0_255
 * @param errorDetails error_details: B0_64K
 */
public record DeclareMiningJobError(
        int requestId,
        String errorCode,
        Bytes errorDetails) implements Sv2Message {

    public DeclareMiningJobError {
        Sv2Message.checkStr0255("error_code", errorCode);
        Sv2Message.checkLength("error_details", errorDetails, 65535);
    }

    @Override
    public MessageType type() {
        return MessageType.DECLARE_MINING_JOB_ERROR;
    }
}
