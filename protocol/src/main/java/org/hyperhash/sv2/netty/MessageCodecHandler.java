package org.hyperhash.sv2.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import org.hyperhash.base.HotPath;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.codec.Sv2DecodeException;
import org.hyperhash.sv2.framing.FrameHeader;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * Frames to records and back.
 * <ul>
 *   <li>Inbound: each plaintext frame {@link ByteBuf} (from {@link FrameDecoder} or {@link NoiseHandler})
 *       is decoded into an {@link Sv2Message}, or an {@link UnknownFrame} for unknown types, and
 *       released here: no reference-counted buffer reaches the application. A STR0_255 that is not UTF-8
 *       is not fatal: the message arrives wrapped in a {@link NonUtf8Message}. A malformed payload fires
 *       {@link Sv2ErrorEvent.Kind#MALFORMED_MESSAGE} and closes the channel; later frames are dropped.</li>
 *   <li>Outbound: an {@link Sv2Message} or {@link UnknownFrame} is encoded into one frame. A
 *       {@link ByteBuf} is passed through untouched: it must hold one or more complete plaintext frames
 *       (e.g. a job serialized once with {@link Sv2Codec#encodeFrame} and written to many channels as
 *       {@code retainedDuplicate()}s: "serialize once, encrypt per connection").</li>
 * </ul>
 */
@HotPath
public final class MessageCodecHandler extends ChannelDuplexHandler {
    private final boolean heapBuffers;
    private boolean failed;

    /**
     * @param heapBuffers encode into heap buffers (best in front of {@link NoiseHandler}, which encrypts
     *                    from the backing array); otherwise into the allocator's I/O buffers (plaintext links)
     */
    public MessageCodecHandler(boolean heapBuffers) {
        this.heapBuffers = heapBuffers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (failed) {
                return;
            }
            Object decoded;
            try {
                FrameHeader h = FrameHeader.read(frame);
                if (frame.readableBytes() != h.msgLength()) {
                    throw new Sv2DecodeException("frame", "msg_length", Sv2DecodeException.Reason.TRUNCATED,
                            "msg_length " + h.msgLength() + " but " + frame.readableBytes() + " payload bytes");
                }
                MessageType type = h.messageType();
                int payloadStart = frame.readerIndex();
                if (type == null) {
                    decoded = UnknownFrame.read(h, frame);
                } else {
                    try {
                        decoded = Sv2Codec.decode(type, frame);
                    } catch (Sv2DecodeException e) {
                        if (e.reason() != Sv2DecodeException.Reason.INVALID_UTF8) {
                            throw e;
                        }
                        frame.readerIndex(payloadStart);
                        decoded = new NonUtf8Message(Sv2Codec.decodeLossyStrings(type, frame), e.field());
                    }
                }
            } catch (Sv2DecodeException e) {
                failed = true;
                Sv2Handlers.fail(ctx, Sv2ErrorEvent.Kind.MALFORMED_MESSAGE, e.getMessage());
                return;
            }
            ctx.fireChannelRead(decoded);
        } finally {
            frame.release();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Sv2Message m) {
            ByteBuf out = heapBuffers ? ctx.alloc().heapBuffer() : ctx.alloc().ioBuffer();
            try {
                Sv2Codec.encodeFrame(m, out);
            } catch (RuntimeException e) {
                out.release();
                promise.setFailure(e);
                return;
            }
            ctx.write(out, promise);
        } else if (msg instanceof UnknownFrame u) {
            ByteBuf out = heapBuffers ? ctx.alloc().heapBuffer(FrameHeader.SIZE + u.payload().length())
                    : ctx.alloc().ioBuffer(FrameHeader.SIZE + u.payload().length());
            u.writeFrame(out);
            ctx.write(out, promise);
        } else if (msg instanceof ByteBuf) {
            ctx.write(msg, promise);
        } else {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new IllegalArgumentException(
                    "SV2 pipelines write Sv2Message, UnknownFrame or ByteBuf frames, not " + msg.getClass().getName()));
        }
    }
}
