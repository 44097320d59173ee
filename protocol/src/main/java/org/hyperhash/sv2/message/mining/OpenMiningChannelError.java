package org.hyperhash.sv2.message.mining;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * OpenMiningChannel.Error (extension 0x0000, msg_type 0x12, channel_msg bit 0).
 *
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param errorCode error_code: STR0_255
 */
public record OpenMiningChannelError(
        int requestId,
        String errorCode) implements Sv2Message {

    public OpenMiningChannelError {
        Sv2Message.checkStr0255("error_code", errorCode);
    }

    @Override
    public MessageType type() {
        return MessageType.OPEN_MINING_CHANNEL_ERROR;
    }
}
