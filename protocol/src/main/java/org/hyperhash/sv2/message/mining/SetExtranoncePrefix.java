package org.hyperhash.sv2.message.mining;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetExtranoncePrefix (extension 0x0000, msg_type 0x19, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param extranoncePrefix extranonce_prefix: B0_32
 */
public record SetExtranoncePrefix(
        int channelId,
        Bytes extranoncePrefix) implements Sv2Message, Sv2Message.ChannelMessage {

    public SetExtranoncePrefix {
        Sv2Message.checkLength("extranonce_prefix", extranoncePrefix, 32);
    }

    @Override
    public MessageType type() {
        return MessageType.SET_EXTRANONCE_PREFIX;
    }
}
