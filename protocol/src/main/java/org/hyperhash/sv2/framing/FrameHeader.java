package org.hyperhash.sv2.framing;

import io.netty.buffer.ByteBuf;
import org.hyperhash.sv2.codec.Sv2DecodeException;
import org.hyperhash.sv2.message.MessageType;

/**
 * The 6-byte SV2 frame header: extension_type U16 LE (bit 15 = channel_msg), msg_type U8, msg_length
 * U24 LE (payload bytes, excluding this header; in encrypted transport the plaintext length).
 *
 * @param extensionType the wire U16, channel_msg bit included
 * @param msgType 0..255
 * @param msgLength 0..2^24-1
 */
public record FrameHeader(int extensionType, int msgType, int msgLength) {
    /** Header size in bytes. */
    public static final int SIZE = 6;
    /** Largest msg_length a U24 can carry. */
    public static final int MAX_MSG_LENGTH = 0xFF_FFFF;
    /** The channel_msg bit of extension_type. */
    public static final int CHANNEL_MSG_BIT = MessageType.CHANNEL_MSG_BIT;

    public FrameHeader {
        if (extensionType < 0 || extensionType > 0xFFFF) {
            throw new IllegalArgumentException("extension_type out of range: " + extensionType);
        }
        if (msgType < 0 || msgType > 0xFF) {
            throw new IllegalArgumentException("msg_type out of range: " + msgType);
        }
        if (msgLength < 0 || msgLength > MAX_MSG_LENGTH) {
            throw new IllegalArgumentException("msg_length out of range: " + msgLength);
        }
    }

    /** The header a sender must use for {@code type} with a payload of {@code msgLength} bytes. */
    public static FrameHeader of(MessageType type, int msgLength) {
        return new FrameHeader(type.wireExtensionType(), type.msgType(), msgLength);
    }

    /** True when bit 15 (channel_msg) is set: the payload starts with a U32 channel_id. */
    public boolean channelMsg() {
        return (extensionType & CHANNEL_MSG_BIT) != 0;
    }

    /** extension_type with the channel_msg bit masked off (the value used for dispatch). */
    public int extensionTypeWithoutChannelBit() {
        return extensionType & ~CHANNEL_MSG_BIT;
    }

    /** The known message type of this header, or null. */
    public MessageType messageType() {
        return MessageType.lookup(extensionType, msgType);
    }

    /** Reads 6 bytes; fails with a typed error when fewer are readable. */
    public static FrameHeader read(ByteBuf in) throws Sv2DecodeException {
        if (in.readableBytes() < SIZE) {
            throw new Sv2DecodeException("frame", "header", Sv2DecodeException.Reason.TRUNCATED,
                    "needs 6 bytes, " + in.readableBytes() + " left");
        }
        int ext = in.readUnsignedShortLE();
        int type = in.readUnsignedByte();
        int len = in.readUnsignedMediumLE();
        return new FrameHeader(ext, type, len);
    }

    /** Reads the msg_length of a header starting at {@code index} without moving the reader index. */
    public static int msgLengthAt(ByteBuf buf, int index) {
        return buf.getUnsignedMediumLE(index + 3);
    }

    public void write(ByteBuf out) {
        write(out, extensionType, msgType, msgLength);
    }

    /** Writes a header without allocating a record. */
    public static void write(ByteBuf out, int extensionType, int msgType, int msgLength) {
        out.writeShortLE(extensionType);
        out.writeByte(msgType);
        out.writeMediumLE(msgLength);
    }

    @Override
    public String toString() {
        return String.format("FrameHeader[extension_type=0x%04x, msg_type=0x%02x, msg_length=%d]",
                extensionType, msgType, msgLength);
    }
}
