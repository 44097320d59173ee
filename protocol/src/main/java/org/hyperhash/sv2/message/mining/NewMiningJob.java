package org.hyperhash.sv2.message.mining;

import java.util.OptionalInt;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * NewMiningJob (extension 0x0000, msg_type 0x15, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param jobId job_id: U32 (unsigned, held in an int)
 * @param minNtime min_ntime: OPTION[U32]
 * @param version version: U32 (unsigned, held in an int)
 * @param merkleRoot merkle_root: U256 (hash, wire order)
 */
public record NewMiningJob(
        int channelId,
        int jobId,
        OptionalInt minNtime,
        int version,
        Hash256 merkleRoot) implements Sv2Message, Sv2Message.ChannelMessage {

    public NewMiningJob {
        java.util.Objects.requireNonNull(minNtime, "min_ntime");
        java.util.Objects.requireNonNull(merkleRoot, "merkle_root");
    }

    @Override
    public MessageType type() {
        return MessageType.NEW_MINING_JOB;
    }
}
