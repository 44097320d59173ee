package org.hyperhash.sv2.message.extensions;

import java.util.List;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * RequestExtensions.Success (extension 0x0001, msg_type 0x01, channel_msg bit 0).
 *
 * @param requestId request_id: U16
 * @param supportedExtensions supported_extensions: SEQ0_64K[U16]
 */
public record RequestExtensionsSuccess(
        int requestId,
        List<Integer> supportedExtensions) implements Sv2Message {

    public RequestExtensionsSuccess {
        Sv2Message.checkRange("request_id", requestId, 0xFFFF);
        supportedExtensions = List.copyOf(supportedExtensions);
        Sv2Message.checkCount("supported_extensions", supportedExtensions, 65535);
        supportedExtensions.forEach(v -> Sv2Message.checkRange("supported_extensions", v, 0xFFFF));
    }

    @Override
    public MessageType type() {
        return MessageType.REQUEST_EXTENSIONS_SUCCESS;
    }
}
