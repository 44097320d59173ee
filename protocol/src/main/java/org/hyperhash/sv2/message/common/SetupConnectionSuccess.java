package org.hyperhash.sv2.message.common;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetupConnection.Success (extension 0x0000, msg_type 0x01, channel_msg bit 0).
 *
 * @param usedVersion used_version: U16
 * @param flags flags: U32 (unsigned, held in an int)
 */
public record SetupConnectionSuccess(
        int usedVersion,
        int flags) implements Sv2Message {

    public SetupConnectionSuccess {
        Sv2Message.checkRange("used_version", usedVersion, 0xFFFF);
    }

    @Override
    public MessageType type() {
        return MessageType.SETUP_CONNECTION_SUCCESS;
    }
}
