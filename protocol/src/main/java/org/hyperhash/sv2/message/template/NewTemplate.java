package org.hyperhash.sv2.message.template;

import java.util.List;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * NewTemplate (extension 0x0000, msg_type 0x71, channel_msg bit 0). coinbaseTxOutputs are serialized outputs back to back WITHOUT a CompactSize count.
 *
 * @param templateId template_id: U64 (unsigned, held in a long)
 * @param futureTemplate future_template: BOOL
 * @param version version: U32 (unsigned, held in an int)
 * @param coinbaseTxVersion coinbase_tx_version: U32 (unsigned, held in an int)
 * @param coinbasePrefix coinbase_prefix: B0_255
 * @param coinbaseTxInputSequence coinbase_tx_input_sequence: U32 (unsigned, held in an int)
 * @param coinbaseTxValueRemaining coinbase_tx_value_remaining: U64 (unsigned, held in a long)
 * @param coinbaseTxOutputsCount coinbase_tx_outputs_count: U32 (unsigned, held in an int)
 * @param coinbaseTxOutputs coinbase_tx_outputs: B0_64K
 * @param coinbaseTxLocktime coinbase_tx_locktime: U32 (unsigned, held in an int)
 * @param merklePath merkle_path: SEQ0_255[U256]
 */
public record NewTemplate(
        long templateId,
        boolean futureTemplate,
        int version,
        int coinbaseTxVersion,
        Bytes coinbasePrefix,
        int coinbaseTxInputSequence,
        long coinbaseTxValueRemaining,
        int coinbaseTxOutputsCount,
        Bytes coinbaseTxOutputs,
        int coinbaseTxLocktime,
        List<Hash256> merklePath) implements Sv2Message {

    public NewTemplate {
        Sv2Message.checkLength("coinbase_prefix", coinbasePrefix, 255);
        Sv2Message.checkLength("coinbase_tx_outputs", coinbaseTxOutputs, 65535);
        merklePath = List.copyOf(merklePath);
        Sv2Message.checkCount("merkle_path", merklePath, 255);
    }

    @Override
    public MessageType type() {
        return MessageType.NEW_TEMPLATE;
    }
}
