package org.hyperhash.sv2.message.mining;

import java.util.List;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetCustomMiningJob (extension 0x0000, msg_type 0x22, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param miningJobToken mining_job_token: B0_255
 * @param version version: U32 (unsigned, held in an int)
 * @param prevHash prev_hash: U256 (hash, wire order)
 * @param minNtime min_ntime: U32 (unsigned, held in an int)
 * @param nbits nbits: U32 (unsigned, held in an int)
 * @param coinbaseTxVersion coinbase_tx_version: U32 (unsigned, held in an int)
 * @param coinbasePrefix coinbase_prefix: B0_255
 * @param coinbaseTxInputNSequence coinbase_tx_input_n_sequence: U32 (unsigned, held in an int)
 * @param coinbaseTxOutputs coinbase_tx_outputs: B0_64K
 * @param coinbaseTxLocktime coinbase_tx_locktime: U32 (unsigned, held in an int)
 * @param merklePath merkle_path: SEQ0_255[U256]
 */
public record SetCustomMiningJob(
        int channelId,
        int requestId,
        Bytes miningJobToken,
        int version,
        Hash256 prevHash,
        int minNtime,
        int nbits,
        int coinbaseTxVersion,
        Bytes coinbasePrefix,
        int coinbaseTxInputNSequence,
        Bytes coinbaseTxOutputs,
        int coinbaseTxLocktime,
        List<Hash256> merklePath) implements Sv2Message, Sv2Message.ChannelMessage {

    public SetCustomMiningJob {
        Sv2Message.checkLength("mining_job_token", miningJobToken, 255);
        java.util.Objects.requireNonNull(prevHash, "prev_hash");
        Sv2Message.checkLength("coinbase_prefix", coinbasePrefix, 255);
        Sv2Message.checkLength("coinbase_tx_outputs", coinbaseTxOutputs, 65535);
        merklePath = List.copyOf(merklePath);
        Sv2Message.checkCount("merkle_path", merklePath, 255);
    }

    @Override
    public MessageType type() {
        return MessageType.SET_CUSTOM_MINING_JOB;
    }
}
