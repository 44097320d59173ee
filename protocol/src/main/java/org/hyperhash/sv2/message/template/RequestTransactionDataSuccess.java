package org.hyperhash.sv2.message.template;

import java.util.List;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * RequestTransactionData.Success (extension 0x0000, msg_type 0x74, channel_msg bit 0).
 *
 * @param templateId template_id: U64 (unsigned, held in a long)
 * @param excessData excess_data: B0_64K
 * @param transactionList transaction_list: SEQ0_64K[B0_16M]
 */
public record RequestTransactionDataSuccess(
        long templateId,
        Bytes excessData,
        List<Bytes> transactionList) implements Sv2Message {

    public RequestTransactionDataSuccess {
        Sv2Message.checkLength("excess_data", excessData, 65535);
        transactionList = List.copyOf(transactionList);
        Sv2Message.checkCount("transaction_list", transactionList, 65535);
        transactionList.forEach(v -> Sv2Message.checkLength("transaction_list", v, 16777215));
    }

    @Override
    public MessageType type() {
        return MessageType.REQUEST_TRANSACTION_DATA_SUCCESS;
    }
}
