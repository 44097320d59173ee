package org.hyperhash.sv2.message.jd;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * AllocateMiningJobToken.Success (extension 0x0000, msg_type 0x51, channel_msg bit 0).
 *
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param miningJobToken mining_job_token: B0_255
 * @param coinbaseTxOutputs coinbase_tx_outputs: B0_64K
 */
public record AllocateMiningJobTokenSuccess(
        int requestId,
        Bytes miningJobToken,
        Bytes coinbaseTxOutputs) implements Sv2Message {

    public AllocateMiningJobTokenSuccess {
        Sv2Message.checkLength("mining_job_token", miningJobToken, 255);
        Sv2Message.checkLength("coinbase_tx_outputs", coinbaseTxOutputs, 65535);
    }

    @Override
    public MessageType type() {
        return MessageType.ALLOCATE_MINING_JOB_TOKEN_SUCCESS;
    }
}
