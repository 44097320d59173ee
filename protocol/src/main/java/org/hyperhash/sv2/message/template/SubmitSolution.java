package org.hyperhash.sv2.message.template;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SubmitSolution (extension 0x0000, msg_type 0x76, channel_msg bit 0).
 *
 * @param templateId template_id: U64 (unsigned, held in a long)
 * @param version version: U32 (unsigned, held in an int)
 * @param headerTimestamp header_timestamp: U32 (unsigned, held in an int)
 * @param headerNonce header_nonce: U32 (unsigned, held in an int)
 * @param coinbaseTx coinbase_tx: B0_64K
 */
public record SubmitSolution(
        long templateId,
        int version,
        int headerTimestamp,
        int headerNonce,
        Bytes coinbaseTx) implements Sv2Message {

    public SubmitSolution {
        Sv2Message.checkLength("coinbase_tx", coinbaseTx, 65535);
    }

    @Override
    public MessageType type() {
        return MessageType.SUBMIT_SOLUTION;
    }
}
