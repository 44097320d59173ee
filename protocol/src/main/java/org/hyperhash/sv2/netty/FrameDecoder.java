package org.hyperhash.sv2.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.hyperhash.base.HotPath;
import org.hyperhash.sv2.framing.FrameHeader;

import java.util.List;

/**
 * Splits a plaintext byte stream into SV2 frames: emits one {@link ByteBuf} per frame holding the
 * 6-byte header and exactly msg_length payload bytes (a retained slice, no copy; the next handler
 * releases it). A msg_length above {@link Sv2Limits#maxFrameBytes()} fires
 * {@link Sv2ErrorEvent.Kind#FRAME_TOO_LARGE}, closes the channel and discards all further input.
 *
 * <p>Used only on plaintext links (trusted LAN); encrypted links use {@link NoiseHandler}, which
 * emits the same frames. Because plaintext links have no handshake, this handler fires
 * {@link NoiseHandshakeEvent.Completed#PLAINTEXT} right after channelActive, so application code is
 * the same in both modes.
 */
@HotPath
public final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    private final Sv2Limits limits;
    private boolean failed;

    public FrameDecoder(Sv2Limits limits) {
        this.maxFrameBytes = limits.maxFrameBytes();
        this.limits = limits;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelActive();
        ctx.fireUserEventTriggered(NoiseHandshakeEvent.Completed.PLAINTEXT);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < FrameHeader.SIZE) {
            return;
        }
        int msgLength = FrameHeader.msgLengthAt(in, in.readerIndex());
        int frameBytes = FrameHeader.SIZE + msgLength;
        int limit = limits.maxPayloadBytes(in.getUnsignedByte(in.readerIndex() + 2));
        if (frameBytes > maxFrameBytes || msgLength > limit) {
            failed = true;
            in.skipBytes(in.readableBytes());
            Sv2Handlers.fail(ctx, Sv2ErrorEvent.Kind.FRAME_TOO_LARGE,
                    "msg_length " + msgLength + " exceeds limit " + limit);
            return;
        }
        if (in.readableBytes() < frameBytes) {
            return;
        }
        out.add(in.readRetainedSlice(frameBytes));
    }
}
