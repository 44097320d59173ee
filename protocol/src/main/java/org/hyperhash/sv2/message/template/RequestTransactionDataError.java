package org.hyperhash.sv2.message.template;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * RequestTransactionData.Error (extension 0x0000, msg_type 0x75, channel_msg bit 0).
 *
 * @param templateId template_id: U64 (unsigned, held in a long)
 * @param errorCode error_code: STR0_255
 */
public record RequestTransactionDataError(
        long templateId,
        String errorCode) implements Sv2Message {

    public RequestTransactionDataError {
        Sv2Message.checkStr0255("error_code", errorCode);
    }

    @Override
    public MessageType type() {
        return MessageType.REQUEST_TRANSACTION_DATA_ERROR;
    }
}
