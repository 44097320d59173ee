package org.hyperhash.sv2.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import org.hyperhash.base.HotPath;
import org.hyperhash.sv2.framing.EncryptedFraming;
import org.hyperhash.sv2.framing.FrameHeader;

import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The SV2 Noise NX layer as one duplex handler (modelled on Netty's SslHandler).
 *
 * <p><b>Handshake.</b> The initiator writes the 64-byte act 1 when the channel becomes active; the
 * responder answers the 64 bytes it reads with the 234-byte act 2; both are raw (no SV2 header). On
 * success the handler fires {@link NoiseHandshakeEvent.Completed} (with the server certificate on the
 * initiator side). Writes issued before that are queued (at most {@value #MAX_PENDING_WRITES}) and sent
 * first. If the handshake does not complete within {@link Sv2Limits#handshakeTimeout()} the channel is
 * closed with {@link Sv2ErrorEvent.Kind#HANDSHAKE_TIMEOUT}.
 *
 * <p><b>Transport, inbound.</b> 22-byte encrypted header, decrypted to the 6-byte plaintext header;
 * msg_length (plaintext) is checked against {@link Sv2Limits#maxFrameBytes()} before anything else is
 * buffered; then exactly {@code L + 16 * ceil(L / 65519)} ciphertext bytes are awaited and decrypted
 * chunk by chunk (65535 bytes each, last shorter) into one plaintext frame {@link ByteBuf} (header +
 * payload), which is passed on (the next handler releases it).
 *
 * <p><b>Transport, outbound.</b> Each written {@link ByteBuf} must hold one or more complete plaintext
 * frames; each frame becomes the encrypted header plus payload chunks in one buffer, encrypted in
 * {@code write()}. {@code flush()} passes through, so a burst of writes followed by one flush is one
 * syscall.
 *
 * <p>Any handshake failure, AEAD failure or length violation fires {@link Sv2ErrorEvent} and closes
 * the channel; input after a failure is discarded. No unchecked exception leaves this handler for
 * peer input.
 */
@HotPath
public final class NoiseHandler extends ByteToMessageDecoder implements ChannelOutboundHandler {
    /** Writes queued while the handshake is running; more fail their promise. */
    public static final int MAX_PENDING_WRITES = 1024;

    private static final int MAC = EncryptedFraming.MAC_LEN;
    private static final int MAX_CT_CHUNK = EncryptedFraming.MAX_CIPHERTEXT_CHUNK;
    private static final int MAX_PT_CHUNK = EncryptedFraming.MAX_PLAINTEXT_CHUNK;
    private static final int ENC_HEADER = EncryptedFraming.ENCRYPTED_HEADER_LEN;

    /** Per-thread scratch for one ciphertext chunk (copy-out of non-array buffers); never shared across calls. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[MAX_CT_CHUNK];
        }
    };

    private enum State { HANDSHAKE, TRANSPORT, FAILED }

    private final NoiseHandshakeDriver driver;
    private final int maxFrameBytes;
    private final long handshakeTimeoutNanos;

    private State state = State.HANDSHAKE;
    private boolean firstSent;
    private FrameCipher sender;
    private FrameCipher receiver;
    private ScheduledFuture<?> handshakeTimeout;
    private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();
    private final byte[] headerPlain = new byte[FrameHeader.SIZE];
    private final byte[] headerCipher = new byte[ENC_HEADER];
    /** msg_length of a header already decrypted whose payload is awaited, or -1. */
    private int awaitedLength = -1;

    private record PendingWrite(ByteBuf frames, ChannelPromise promise) {
    }

    /**
     * @param driver the connection's handshake (initiator: sends act 1 on channelActive and verifies the
     *               certificate in act 2; responder: answers act 1 with act 2); one per connection
     * @param limits frame size and handshake timeout
     */
    public NoiseHandler(NoiseHandshakeDriver driver, Sv2Limits limits) {
        this.driver = java.util.Objects.requireNonNull(driver, "driver");
        this.maxFrameBytes = limits.maxFrameBytes();
        this.handshakeTimeoutNanos = limits.handshakeTimeout().toNanos();
    }

    /** True once the handshake completed (and no failure happened since). */
    public boolean isHandshakeComplete() {
        return state == State.TRANSPORT;
    }

    // ------------------------------------------------------------------------------------------
    // lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isActive()) {
            startHandshake(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        startHandshake(ctx);
        ctx.fireChannelActive();
    }

    private void startHandshake(ChannelHandlerContext ctx) {
        if (handshakeTimeout != null || state != State.HANDSHAKE) {
            return;
        }
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (state == State.HANDSHAKE) {
                failHandshake(ctx, Sv2ErrorEvent.Kind.HANDSHAKE_TIMEOUT,
                        "Noise handshake not completed within " + TimeUnit.NANOSECONDS.toMillis(handshakeTimeoutNanos) + " ms");
            }
        }, handshakeTimeoutNanos, TimeUnit.NANOSECONDS);
        if (!firstSent) {
            firstSent = true;
            byte[] first;
            try {
                first = driver.firstMessage();
            } catch (NoiseFailure e) {
                failHandshake(ctx, e.kind(), "first handshake message: " + e.getMessage());
                return;
            } catch (RuntimeException e) {
                failHandshake(ctx, Sv2ErrorEvent.Kind.INTERNAL_ERROR, "first handshake message: " + e);
                return;
            }
            if (first != null) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(first));
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimeout();
        failPending(new ClosedChannelException());
        super.channelInactive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancelTimeout();
        failPending(new ClosedChannelException());
    }

    private void cancelTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
    }

    // ------------------------------------------------------------------------------------------
    // inbound

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            switch (state) {
                case HANDSHAKE -> readHandshake(ctx, in);
                case TRANSPORT -> readTransport(ctx, in, out);
                case FAILED -> in.skipBytes(in.readableBytes());
            }
        } catch (RuntimeException e) {
            // defensive: a bug must close this connection, not escape as an exception
            in.skipBytes(in.readableBytes());
            failTransport(ctx, Sv2ErrorEvent.Kind.INTERNAL_ERROR, e.toString());
        }
    }

    private void readHandshake(ChannelHandlerContext ctx, ByteBuf in) {
        int expected = driver.expectedLength();
        if (!firstSent || in.readableBytes() < expected) {
            return;
        }
        byte[] message = new byte[expected];
        in.readBytes(message);
        NoiseHandshakeDriver.Outcome outcome;
        try {
            outcome = driver.onMessage(message);
        } catch (NoiseFailure e) {
            in.skipBytes(in.readableBytes());
            failHandshake(ctx, e.kind(), "handshake message rejected: " + e.getMessage());
            return;
        }
        if (outcome.replyOrNull() != null) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(outcome.replyOrNull()));
        }
        completeHandshake(ctx, outcome);
    }

    private void completeHandshake(ChannelHandlerContext ctx, NoiseHandshakeDriver.Outcome s) {
        sender = s.sender();
        receiver = s.receiver();
        state = State.TRANSPORT;
        cancelTimeout();
        // queued writes go first, in order, then the application learns the handshake is done
        PendingWrite p;
        boolean wrote = false;
        while ((p = pending.poll()) != null) {
            encryptAndWrite(ctx, p.frames(), p.promise());
            wrote = true;
            if (state != State.TRANSPORT) {
                failPending(new ClosedChannelException());
                return;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        ctx.fireUserEventTriggered(new NoiseHandshakeEvent.Completed(s.peerCertificateOrNull(), true));
    }

    private void readTransport(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (awaitedLength < 0) {
            if (in.readableBytes() < ENC_HEADER) {
                return;
            }
            in.readBytes(headerCipher);
            try {
                receiver.decrypt(headerCipher, 0, ENC_HEADER, headerPlain, 0);
            } catch (NoiseFailure e) {
                in.skipBytes(in.readableBytes());
                failTransport(ctx, e.kind(), "frame header: " + e.getMessage());
                return;
            }
            int msgLength = (headerPlain[3] & 0xFF) | (headerPlain[4] & 0xFF) << 8 | (headerPlain[5] & 0xFF) << 16;
            if (FrameHeader.SIZE + msgLength > maxFrameBytes) {
                in.skipBytes(in.readableBytes());
                failTransport(ctx, Sv2ErrorEvent.Kind.FRAME_TOO_LARGE,
                        "msg_length " + msgLength + " exceeds limit " + (maxFrameBytes - FrameHeader.SIZE));
                return;
            }
            awaitedLength = msgLength;
        }
        int cipherLength = EncryptedFraming.encryptedPayloadLength(awaitedLength);
        if (in.readableBytes() < cipherLength) {
            return;
        }
        ByteBuf frame = ctx.alloc().heapBuffer(FrameHeader.SIZE + awaitedLength);
        try {
            frame.writeBytes(headerPlain);
            decryptPayload(in, cipherLength, frame);
        } catch (NoiseFailure e) {
            frame.release();
            in.skipBytes(in.readableBytes());
            failTransport(ctx, e.kind(), "frame payload: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
        awaitedLength = -1;
        out.add(frame);
    }

    /** Decrypts {@code cipherLength} bytes of chunks from {@code in} into {@code frame} (heap, array-backed). */
    private void decryptPayload(ByteBuf in, int cipherLength, ByteBuf frame) throws NoiseFailure {
        int remaining = cipherLength;
        byte[] dst = frame.array();
        while (remaining > 0) {
            int chunk = Math.min(remaining, MAX_CT_CHUNK);
            int dstOff = frame.arrayOffset() + frame.writerIndex();
            if (in.hasArray()) {
                receiver.decrypt(in.array(), in.arrayOffset() + in.readerIndex(), chunk, dst, dstOff);
                in.skipBytes(chunk);
            } else {
                byte[] scratch = SCRATCH.get();
                in.readBytes(scratch, 0, chunk);
                receiver.decrypt(scratch, 0, chunk, dst, dstOff);
            }
            frame.writerIndex(frame.writerIndex() + chunk - MAC);
            remaining -= chunk;
        }
    }

    // ------------------------------------------------------------------------------------------
    // outbound

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf frames)) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new IllegalArgumentException("NoiseHandler writes plaintext frame ByteBufs only, not "
                    + msg.getClass().getName()));
            return;
        }
        switch (state) {
            case TRANSPORT -> encryptAndWrite(ctx, frames, promise);
            case HANDSHAKE -> {
                if (pending.size() >= MAX_PENDING_WRITES) {
                    frames.release();
                    promise.setFailure(new IllegalStateException("more than " + MAX_PENDING_WRITES
                            + " writes queued before the Noise handshake completed"));
                } else {
                    pending.add(new PendingWrite(frames, promise));
                }
            }
            case FAILED -> {
                frames.release();
                promise.setFailure(new ClosedChannelException());
            }
        }
    }

    private void encryptAndWrite(ChannelHandlerContext ctx, ByteBuf frames, ChannelPromise promise) {
        ByteBuf out = null;
        try {
            int total = encryptedSize(frames);
            out = ctx.alloc().heapBuffer(total, total);
            while (frames.isReadable()) {
                encryptFrame(frames, out);
            }
        } catch (IllegalArgumentException e) {
            frames.release();
            if (out != null) {
                out.release();
            }
            promise.setFailure(e);
            return;
        } catch (NoiseFailure e) {
            frames.release();
            out.release();
            promise.setFailure(e);
            failTransport(ctx, e.kind(), "encrypt: " + e.getMessage());
            return;
        }
        frames.release();
        ctx.write(out, promise);
    }

    /** Validates that {@code frames} is a sequence of complete frames and returns its ciphertext size. */
    private static int encryptedSize(ByteBuf frames) {
        int idx = frames.readerIndex();
        int end = frames.writerIndex();
        long total = 0;
        if (idx == end) {
            throw new IllegalArgumentException("empty buffer written: not an SV2 frame");
        }
        while (idx < end) {
            if (end - idx < FrameHeader.SIZE) {
                throw new IllegalArgumentException("written buffer ends inside a frame header");
            }
            int len = FrameHeader.msgLengthAt(frames, idx);
            if (end - idx - FrameHeader.SIZE < len) {
                throw new IllegalArgumentException("written frame msg_length " + len + " exceeds the bytes present");
            }
            total += EncryptedFraming.encryptedFrameLength(len);
            idx += FrameHeader.SIZE + len;
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("written buffer too large to encrypt at once");
        }
        return (int) total;
    }

    private void encryptFrame(ByteBuf frames, ByteBuf out) throws NoiseFailure {
        int len = FrameHeader.msgLengthAt(frames, frames.readerIndex());
        byte[] dst = out.array();
        frames.readBytes(headerPlain);
        sender.encrypt(headerPlain, 0, FrameHeader.SIZE, dst, out.arrayOffset() + out.writerIndex());
        out.writerIndex(out.writerIndex() + ENC_HEADER);
        int remaining = len;
        while (remaining > 0) {
            int chunk = Math.min(remaining, MAX_PT_CHUNK);
            int dstOff = out.arrayOffset() + out.writerIndex();
            if (frames.hasArray()) {
                sender.encrypt(frames.array(), frames.arrayOffset() + frames.readerIndex(), chunk, dst, dstOff);
                frames.skipBytes(chunk);
            } else {
                byte[] scratch = SCRATCH.get();
                frames.readBytes(scratch, 0, chunk);
                sender.encrypt(scratch, 0, chunk, dst, dstOff);
            }
            out.writerIndex(out.writerIndex() + chunk + MAC);
            remaining -= chunk;
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
        ctx.bind(localAddress, promise);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
                        ChannelPromise promise) {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        failPending(new ClosedChannelException());
        ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.read();
    }

    // ------------------------------------------------------------------------------------------
    // failure

    private void failHandshake(ChannelHandlerContext ctx, Sv2ErrorEvent.Kind kind, String detail) {
        fail(ctx, kind, detail);
    }

    private void failTransport(ChannelHandlerContext ctx, Sv2ErrorEvent.Kind kind, String detail) {
        fail(ctx, kind, detail);
    }

    private void fail(ChannelHandlerContext ctx, Sv2ErrorEvent.Kind kind, String detail) {
        if (state == State.FAILED) {
            return;
        }
        state = State.FAILED;
        awaitedLength = -1;
        cancelTimeout();
        failPending(new ClosedChannelException());
        Sv2Handlers.fail(ctx, kind, detail);
    }

    private void failPending(Throwable cause) {
        PendingWrite p;
        while ((p = pending.poll()) != null) {
            p.frames().release();
            p.promise().tryFailure(cause);
        }
    }
}
