package org.hyperhash.sv2.message.common;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetupConnection.Error (extension 0x0000, msg_type 0x02, channel_msg bit 0).
 *
 * @param flags flags: U32 (unsigned, held in an int)
 * @param errorCode error_code: STR0_255
 */
public record SetupConnectionError(
        int flags,
        String errorCode) implements Sv2Message {

    public SetupConnectionError {
        Sv2Message.checkStr0255("error_code", errorCode);
    }

    @Override
    public MessageType type() {
        return MessageType.SETUP_CONNECTION_ERROR;
    }
}
