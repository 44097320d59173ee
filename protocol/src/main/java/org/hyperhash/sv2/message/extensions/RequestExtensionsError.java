package org.hyperhash.sv2.message.extensions;

import java.util.List;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * RequestExtensions.Error (extension 0x0001, msg_type 0x02, channel_msg bit 0).
 *
 * @param requestId request_id: U16
 * @param unsupportedExtensions unsupported_extensions: SEQ0_64K[U16]
 * @param requiredExtensions required_extensions: SEQ0_64K[U16]
 */
public record RequestExtensionsError(
        int requestId,
        List<Integer> unsupportedExtensions,
        List<Integer> requiredExtensions) implements Sv2Message {

    public RequestExtensionsError {
        Sv2Message.checkRange("request_id", requestId, 0xFFFF);
        unsupportedExtensions = List.copyOf(unsupportedExtensions);
        Sv2Message.checkCount("unsupported_extensions", unsupportedExtensions, 65535);
        unsupportedExtensions.forEach(v -> Sv2Message.checkRange("unsupported_extensions", v, 0xFFFF));
        requiredExtensions = List.copyOf(requiredExtensions);
        Sv2Message.checkCount("required_extensions", requiredExtensions, 65535);
        requiredExtensions.forEach(v -> Sv2Message.checkRange("required_extensions", v, 0xFFFF));
    }

    @Override
    public MessageType type() {
        return MessageType.REQUEST_EXTENSIONS_ERROR;
    }
}
