package org.hyperhash.sv2.message.common;

import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * SetupConnection (extension 0x0000, msg_type 0x00, channel_msg bit 0).
 *
 * @param protocol protocol: U8
 * @param minVersion min_version: U16
 * @param maxVersion max_version: U16
 * @param flags flags: U32 (unsigned, held in an int)
 * @param endpointHost endpoint_host: STR0_255
 * @param endpointPort endpoint_port: U16
 * @param vendor vendor: STR0_255
 * @param hardwareVersion hardware_version: STR0_255
 * @param firmware firmware: STR0_255
 * @param deviceId device_id: STR0_255
 */
public record SetupConnection(
        int protocol,
        int minVersion,
        int maxVersion,
        int flags,
        String endpointHost,
        int endpointPort,
        String vendor,
        String hardwareVersion,
        String firmware,
        String deviceId) implements Sv2Message {

    public SetupConnection {
        Sv2Message.checkRange("protocol", protocol, 0xFF);
        Sv2Message.checkRange("min_version", minVersion, 0xFFFF);
        Sv2Message.checkRange("max_version", maxVersion, 0xFFFF);
        Sv2Message.checkStr0255("endpoint_host", endpointHost);
        Sv2Message.checkRange("endpoint_port", endpointPort, 0xFFFF);
        Sv2Message.checkStr0255("vendor", vendor);
        Sv2Message.checkStr0255("hardware_version", hardwareVersion);
        Sv2Message.checkStr0255("firmware", firmware);
        Sv2Message.checkStr0255("device_id", deviceId);
    }

    @Override
    public MessageType type() {
        return MessageType.SETUP_CONNECTION;
    }
}
