package org.hyperhash.sv2.message.extensions;

import java.util.List;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * RequestExtensions (extension 0x0001, msg_type 0x00, channel_msg bit 0).
 *
 * @param requestId request_id: U16
 * @param requestedExtensions requested_extensions: SEQ0_64K[U16]
 */
public record RequestExtensions(
        int requestId,
        List<Integer> requestedExtensions) implements Sv2Message {

    public RequestExtensions {
        Sv2Message.checkRange("request_id", requestId, 0xFFFF);
        requestedExtensions = List.copyOf(requestedExtensions);
        Sv2Message.checkCount("requested_extensions", requestedExtensions, 65535);
        requestedExtensions.forEach(v -> Sv2Message.checkRange("requested_extensions", v, 0xFFFF));
    }

    @Override
    public MessageType type() {
        return MessageType.REQUEST_EXTENSIONS;
    }
}
