package org.hyperhash.sv2.message.mining;

import org.hyperhash.base.Bytes;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * OpenExtendedMiningChannel.Success (extension 0x0000, msg_type 0x14, channel_msg bit 0).
 *
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param target target: U256 (little-endian target)
 * @param extranonceSize extranonce_size: U16
 * @param extranoncePrefix extranonce_prefix: B0_32
 * @param groupChannelId group_channel_id: U32 (unsigned, held in an int)
 */
public record OpenExtendedMiningChannelSuccess(
        int requestId,
        int channelId,
        Target target,
        int extranonceSize,
        Bytes extranoncePrefix,
        int groupChannelId) implements Sv2Message {

    public OpenExtendedMiningChannelSuccess {
        java.util.Objects.requireNonNull(target, "target");
        Sv2Message.checkRange("extranonce_size", extranonceSize, 0xFFFF);
        Sv2Message.checkLength("extranonce_prefix", extranoncePrefix, 32);
    }

    @Override
    public MessageType type() {
        return MessageType.OPEN_EXTENDED_MINING_CHANNEL_SUCCESS;
    }
}
