package org.hyperhash.sv2.message.mining;

import java.util.List;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetGroupChannel (extension 0x0000, msg_type 0x25, channel_msg bit 0).
 *
 * @param groupChannelId group_channel_id: U32 (unsigned, held in an int)
 * @param channelIds channel_ids: SEQ0_64K[U32]
 */
public record SetGroupChannel(
        int groupChannelId,
        List<Integer> channelIds) implements Sv2Message {

    public SetGroupChannel {
        channelIds = List.copyOf(channelIds);
        Sv2Message.checkCount("channel_ids", channelIds, 65535);
    }

    @Override
    public MessageType type() {
        return MessageType.SET_GROUP_CHANNEL;
    }
}
