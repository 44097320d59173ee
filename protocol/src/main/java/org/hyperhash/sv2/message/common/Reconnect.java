package org.hyperhash.sv2.message.common;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * Reconnect (extension 0x0000, msg_type 0x04, channel_msg bit 0).
 *
 * @param newHost new_host: STR0_255
 * @param newPort new_port: U16
 */
public record Reconnect(
        String newHost,
        int newPort) implements Sv2Message {

    public Reconnect {
        Sv2Message.checkStr0255("new_host", newHost);
        Sv2Message.checkRange("new_port", newPort, 0xFFFF);
    }

    @Override
    public MessageType type() {
        return MessageType.RECONNECT;
    }
}
