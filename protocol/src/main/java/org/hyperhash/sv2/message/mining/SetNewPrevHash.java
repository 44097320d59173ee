package org.hyperhash.sv2.message.mining;

import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetNewPrevHash (extension 0x0000, msg_type 0x20, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param jobId job_id: U32 (unsigned, held in an int)
 * @param prevHash prev_hash: U256 (hash, wire order)
 * @param minNtime min_ntime: U32 (unsigned, held in an int)
 * @param nbits nbits: U32 (unsigned, held in an int)
 */
public record SetNewPrevHash(
        int channelId,
        int jobId,
        Hash256 prevHash,
        int minNtime,
        int nbits) implements Sv2Message, Sv2Message.ChannelMessage {

    public SetNewPrevHash {
        java.util.Objects.requireNonNull(prevHash, "prev_hash");
    }

    @Override
    public MessageType type() {
        return MessageType.SET_NEW_PREV_HASH;
    }
}
