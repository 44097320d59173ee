package org.hyperhash.sv2.message.template;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * RequestTransactionData (extension 0x0000, msg_type 0x73, channel_msg bit 0).
 *
 * @param templateId template_id: U64 (unsigned, held in a long)
 */
public record RequestTransactionData(
        long templateId) implements Sv2Message {

    @Override
    public MessageType type() {
        return MessageType.REQUEST_TRANSACTION_DATA;
    }
}
