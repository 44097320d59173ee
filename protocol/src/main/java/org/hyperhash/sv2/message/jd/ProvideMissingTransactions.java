package org.hyperhash.sv2.message.jd;

import java.util.List;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * ProvideMissingTransactions (extension 0x0000, msg_type 0x55, channel_msg bit 0).
 *
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param unknownTxPositionList unknown_tx_position_list: SEQ0_64K[U16]
 */
public record ProvideMissingTransactions(
        int requestId,
        List<Integer> unknownTxPositionList) implements Sv2Message {

    public ProvideMissingTransactions {
        unknownTxPositionList = List.copyOf(unknownTxPositionList);
        Sv2Message.checkCount("unknown_tx_position_list", unknownTxPositionList, 65535);
        unknownTxPositionList.forEach(v -> Sv2Message.checkRange("unknown_tx_position_list", v, 0xFFFF));
    }

    @Override
    public MessageType type() {
        return MessageType.PROVIDE_MISSING_TRANSACTIONS;
    }
}
