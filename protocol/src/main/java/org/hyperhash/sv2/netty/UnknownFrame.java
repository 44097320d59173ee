package org.hyperhash.sv2.netty;

import io.netty.buffer.ByteBuf;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.framing.FrameHeader;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A frame whose (extension_type, msg_type) is not a known message. Delivered to the application
 * instead of an error: a proxy forwards channel messages of unknown extensions to the channel owner
 * and drops the rest (sv2-protocol.md 2.1). May also be written: it is re-framed as it is.
 *
 * @param extensionType the wire extension_type, channel_msg bit included
 * @param msgType msg_type
 * @param channelId the leading U32 channel_id when the channel_msg bit is set and the payload holds 4 bytes
 * @param payload the payload bytes (a copy: no reference counting reaches the application)
 */
public record UnknownFrame(int extensionType, int msgType, OptionalInt channelId, Bytes payload) {
    public UnknownFrame {
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(payload, "payload");
        if (extensionType < 0 || extensionType > 0xFFFF || msgType < 0 || msgType > 0xFF) {
            throw new IllegalArgumentException("extension_type/msg_type out of range");
        }
        if (payload.length() > FrameHeader.MAX_MSG_LENGTH) {
            throw new IllegalArgumentException("payload longer than 2^24-1");
        }
    }

    /** True when the channel_msg bit is set. */
    public boolean channelMsg() {
        return (extensionType & FrameHeader.CHANNEL_MSG_BIT) != 0;
    }

    /** Reads an unknown frame from {@code payload} (header already parsed); consumes the payload. */
    static UnknownFrame read(FrameHeader h, ByteBuf payload) {
        OptionalInt ch = h.channelMsg() && payload.readableBytes() >= 4
                ? OptionalInt.of(payload.getIntLE(payload.readerIndex()))
                : OptionalInt.empty();
        byte[] b = new byte[payload.readableBytes()];
        payload.readBytes(b);
        return new UnknownFrame(h.extensionType(), h.msgType(), ch, Bytes.wrap(b));
    }

    /** Writes header and payload. */
    void writeFrame(ByteBuf out) {
        FrameHeader.write(out, extensionType, msgType, payload.length());
        out.writeBytes(payload.unsafeArray());
    }
}
