package org.hyperhash.sv2.message.jd;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * DeclareMiningJob.Success (extension 0x0000, msg_type 0x58, channel_msg bit 0).
 *
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param newMiningJobToken new_mining_job_token: B0_255
 */
public record DeclareMiningJobSuccess(
        int requestId,
        Bytes newMiningJobToken) implements Sv2Message {

    public DeclareMiningJobSuccess {
        Sv2Message.checkLength("new_mining_job_token", newMiningJobToken, 255);
    }

    @Override
    public MessageType type() {
        return MessageType.DECLARE_MINING_JOB_SUCCESS;
    }
}
