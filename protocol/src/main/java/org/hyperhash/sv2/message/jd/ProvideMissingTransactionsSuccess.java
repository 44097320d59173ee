package org.hyperhash.sv2.message.jd;

import java.util.List;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * ProvideMissingTransactions.Success (extension 0x0000, msg_type 0x56, channel_msg bit 0).
 *
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param transactionList transaction_list: SEQ0_64K[B0_16M]
 */
public record ProvideMissingTransactionsSuccess(
        int requestId,
        List<Bytes> transactionList) implements Sv2Message {

    public ProvideMissingTransactionsSuccess {
        transactionList = List.copyOf(transactionList);
        Sv2Message.checkCount("transaction_list", transactionList, 65535);
        transactionList.forEach(v -> Sv2Message.checkLength("transaction_list", v, 16777215));
    }

    @Override
    public MessageType type() {
        return MessageType.PROVIDE_MISSING_TRANSACTIONS_SUCCESS;
    }
}
