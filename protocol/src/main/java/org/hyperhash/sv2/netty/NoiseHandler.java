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
 * payload), which is passed on (the next handler releases it). A single-chunk frame that arrived whole is
 * passed on as a retained slice of the input buffer, as {@link FrameDecoder} does (no frame allocation):
 * decrypted in place if the buffer is array-backed, or, up to {@value #SCRATCH_DECRYPT_MAX} payload bytes
 * in a buffer without an array (the socket's direct read buffers), decrypted in the per-thread scratch and
 * written back over its own ciphertext. Otherwise (multi-chunk, larger, split across reads, read-only)
 * the ciphertext is copied into a new heap frame buffer and decrypted in place there.
 *
 * <p><b>Transport, outbound.</b> Each written {@link ByteBuf} must hold one or more complete plaintext
 * frames; all of them become the encrypted headers plus payload chunks in one buffer from
 * {@code ctx.alloc().ioBuffer()}, i.e. a direct buffer the transport writes as it is (epoll and NIO copy a
 * heap buffer into a direct one first). The ciphertext is sealed in {@code write()} from the source array
 * into the per-thread scratch and copied into that buffer (or, if the allocator's I/O buffers are
 * array-backed, sealed straight into it). {@code flush()} passes through, so a burst of writes followed
 * by one flush is one syscall. The wire bytes do not depend on the buffer kinds.
 *
 * <p><b>Memory.</b> After the handshake only the two transport ciphers and a few scalars stay referenced:
 * the driver (handshake keys and hash), the timeout task and the pending-write queue are dropped. The
 * scratch (65535 bytes) is per thread, not per connection.
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

    /**
     * Single-chunk frames up to this payload size that arrive whole in a buffer without an array (the
     * socket's direct read buffers) are decrypted through the per-thread scratch and written back into the
     * input, which is then passed on as a slice (no frame allocation); larger ones get their own heap buffer.
     */
    static final int SCRATCH_DECRYPT_MAX = 4096;

    /**
     * Per-thread scratch (one ciphertext chunk, 65535 bytes; one per event-loop thread, not per connection):
     * encrypted headers read from direct buffers, small direct-buffer frames decrypted in it, and the
     * ciphertext staged in it before it is copied into a direct output buffer.
     */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[MAX_CT_CHUNK];
        }
    };

    private enum State { HANDSHAKE, TRANSPORT, FAILED }

    /** Null once the handshake is over (it holds the handshake keys and hash). */
    private NoiseHandshakeDriver driver;
    private final int maxFrameBytes;
    private final Sv2Limits limits;
    private final boolean perType;
    private final long handshakeTimeoutNanos;

    private State state = State.HANDSHAKE;
    private boolean firstSent;
    private FrameCipher sender;
    private FrameCipher receiver;
    private ScheduledFuture<?> handshakeTimeout;
    /** Writes issued during the handshake; created on the first one, dropped when the handshake ends. */
    private ArrayDeque<PendingWrite> pending;
    /** The decrypted 6-byte header (little-endian in the low 48 bits) whose payload is awaited. */
    private long awaitedHeader;
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
        this.limits = limits;
        this.perType = !limits.maxPayloadByType().isEmpty();
        this.handshakeTimeoutNanos = limits.handshakeTimeout().toNanos();
    }

    /** True once the handshake completed (and no failure happened since). */
    public boolean isHandshakeComplete() {
        return state == State.TRANSPORT;
    }

    /** Test hook: true while handshake-only state (driver, timeout task, pending-write queue) is still referenced. */
    boolean holdsHandshakeState() {
        return driver != null || handshakeTimeout != null || pending != null;
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
        if (firstSent || state != State.HANDSHAKE) {
            return;
        }
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (state == State.HANDSHAKE) {
                failHandshake(ctx, Sv2ErrorEvent.Kind.HANDSHAKE_TIMEOUT,
                        "Noise handshake not completed within " + TimeUnit.NANOSECONDS.toMillis(handshakeTimeoutNanos) + " ms");
            }
        }, handshakeTimeoutNanos, TimeUnit.NANOSECONDS);
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

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimeout();
        failPending();
        try {
            super.channelInactive(ctx); // decodes what is left, then the handlers after this one see the close
        } finally {
            close();
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancelTimeout();
        failPending();
        close();
    }

    /**
     * The connection is over: the transport keys are wiped ({@link FrameCipher#destroy}) and later writes fail with
     * {@link ClosedChannelException}, as after a failure, so no key outlives its connection in this handler or in
     * the event loop's keystream window.
     */
    private void close() {
        state = State.FAILED;
        driver = null;
        awaitedLength = -1;
        if (sender != null) {
            sender.destroy();
            sender = null;
        }
        if (receiver != null) {
            receiver.destroy();
            receiver = null;
        }
    }

    private void cancelTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
            handshakeTimeout = null;
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
        driver = null;
        state = State.TRANSPORT;
        cancelTimeout();
        // queued writes go first, in order, then the application learns the handshake is done
        ArrayDeque<PendingWrite> queued = pending;
        pending = null;
        if (queued != null) {
            PendingWrite p;
            while ((p = queued.poll()) != null) {
                encryptAndWrite(ctx, p.frames(), p.promise());
                if (state != State.TRANSPORT) {
                    failAll(queued, new ClosedChannelException());
                    return;
                }
            }
            ctx.flush();
        }
        ctx.fireUserEventTriggered(new NoiseHandshakeEvent.Completed(s.peerCertificateOrNull(), true));
    }

    private void readTransport(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (awaitedLength < 0) {
            if (in.readableBytes() < ENC_HEADER) {
                return;
            }
            byte[] h = SCRATCH.get();
            int start = in.readerIndex();
            try {
                if (in.hasArray()) {
                    receiver.decrypt(in.array(), in.arrayOffset() + start, ENC_HEADER, h, 0);
                } else {
                    in.getBytes(start, h, 0, ENC_HEADER);
                    receiver.decrypt(h, 0, ENC_HEADER, h, 0);
                }
            } catch (NoiseFailure e) {
                in.skipBytes(in.readableBytes());
                failTransport(ctx, e.kind(), "frame header: " + e.getMessage());
                return;
            }
            int msgLength = (h[3] & 0xFF) | (h[4] & 0xFF) << 8 | (h[5] & 0xFF) << 16;
            int limit = perType ? limits.maxPayloadBytes(h[2] & 0xFF) : maxFrameBytes - FrameHeader.SIZE;
            if (msgLength > limit) {
                in.skipBytes(in.readableBytes());
                failTransport(ctx, Sv2ErrorEvent.Kind.FRAME_TOO_LARGE,
                        "msg_length " + msgLength + " of msg_type 0x" + Integer.toHexString(h[2] & 0xFF)
                                + " exceeds limit " + limit);
                return;
            }
            awaitedHeader = (h[0] & 0xFFL) | (h[1] & 0xFFL) << 8 | (h[2] & 0xFFL) << 16 | (long) msgLength << 24;
            awaitedLength = msgLength;
            in.skipBytes(ENC_HEADER);
            if (msgLength <= MAX_PT_CHUNK && !in.isReadOnly()
                    && in.readableBytes() >= msgLength + (msgLength == 0 ? 0 : MAC)) {
                // the whole single-chunk frame is here
                if (in.hasArray()) {
                    decryptInPlace(ctx, in, start, out); // no copy
                    return;
                }
                if (msgLength <= SCRATCH_DECRYPT_MAX) {
                    decryptThroughScratch(ctx, in, start, h, out); // no allocation
                    return;
                }
            }
        }
        int cipherLength = EncryptedFraming.encryptedPayloadLength(awaitedLength);
        if (in.readableBytes() < cipherLength) {
            return;
        }
        ByteBuf frame = ctx.alloc().heapBuffer(FrameHeader.SIZE + cipherLength);
        try {
            writeHeader(frame.array(), frame.arrayOffset());
            frame.writerIndex(FrameHeader.SIZE);
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

    /**
     * Single-chunk frame whose encrypted header started at {@code start} and whose payload follows in
     * {@code in}: the payload is decrypted where it lies, the plaintext header written into the last 6
     * bytes of the consumed header tag, and that span passed on as a retained slice.
     */
    private void decryptInPlace(ChannelHandlerContext ctx, ByteBuf in, int start, List<Object> out) {
        int len = awaitedLength;
        byte[] a = in.array();
        int payload = in.arrayOffset() + start + ENC_HEADER;
        if (len > 0) {
            try {
                receiver.decrypt(a, payload, len + MAC, a, payload);
            } catch (NoiseFailure e) {
                in.skipBytes(in.readableBytes());
                failTransport(ctx, e.kind(), "frame payload: " + e.getMessage());
                return;
            }
            in.skipBytes(len + MAC);
        }
        writeHeader(a, payload - FrameHeader.SIZE);
        awaitedLength = -1;
        out.add(in.retainedSlice(start + ENC_HEADER - FrameHeader.SIZE, FrameHeader.SIZE + len));
    }

    /**
     * As {@link #decryptInPlace} for a buffer without an array: the payload ciphertext is copied into
     * {@code scratch} after room for the plaintext header, decrypted there, and header + payload are written
     * back over the consumed ciphertext (the last 6 bytes of the header tag and the payload), which is passed on
     * as a retained slice. On a bad tag nothing is written back.
     */
    private void decryptThroughScratch(ChannelHandlerContext ctx, ByteBuf in, int start, byte[] scratch,
                                       List<Object> out) {
        int len = awaitedLength;
        if (len > 0) {
            in.getBytes(start + ENC_HEADER, scratch, FrameHeader.SIZE, len + MAC);
            try {
                receiver.decrypt(scratch, FrameHeader.SIZE, len + MAC, scratch, FrameHeader.SIZE);
            } catch (NoiseFailure e) {
                in.skipBytes(in.readableBytes());
                failTransport(ctx, e.kind(), "frame payload: " + e.getMessage());
                return;
            }
            in.skipBytes(len + MAC);
        }
        writeHeader(scratch, 0);
        int at = start + ENC_HEADER - FrameHeader.SIZE;
        in.setBytes(at, scratch, 0, FrameHeader.SIZE + len);
        awaitedLength = -1;
        out.add(in.retainedSlice(at, FrameHeader.SIZE + len));
    }

    private void writeHeader(byte[] dst, int off) {
        long h = awaitedHeader;
        for (int i = 0; i < FrameHeader.SIZE; i++) {
            dst[off + i] = (byte) (h >>> (8 * i));
        }
    }

    /**
     * Decrypts {@code cipherLength} bytes of chunks from {@code in} into {@code frame} (heap, array-backed,
     * capacity for the ciphertext): straight from the source array, or copied in and decrypted in place.
     */
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
                in.readBytes(dst, dstOff, chunk);
                receiver.decrypt(dst, dstOff, chunk, dst, dstOff);
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
                if (pending == null) {
                    pending = new ArrayDeque<>(4);
                }
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
            // the socket's kind of buffer: the transports copy a heap buffer into a direct one before writing
            out = ctx.alloc().ioBuffer(total, total);
            if (out.hasArray()) {
                encryptInto(frames, out);
            } else {
                encryptStaged(frames, out);
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

    /**
     * Encrypts the validated frames of {@code frames} (all readable bytes) straight into {@code out}'s array
     * (capacity for the whole ciphertext): from the source array, or copied in and sealed in place.
     */
    private void encryptInto(ByteBuf frames, ByteBuf out) throws NoiseFailure {
        byte[] dst = out.array();
        int base = out.arrayOffset();
        int pos = out.writerIndex();
        int idx = frames.readerIndex();
        int end = frames.writerIndex();
        while (idx < end) {
            int remaining = FrameHeader.msgLengthAt(frames, idx);
            int len = FrameHeader.SIZE; // the header first, then the payload chunks
            do {
                if (frames.hasArray()) {
                    sender.encrypt(frames.array(), frames.arrayOffset() + idx, len, dst, base + pos);
                } else {
                    frames.getBytes(idx, dst, base + pos, len);
                    sender.encrypt(dst, base + pos, len, dst, base + pos);
                }
                idx += len;
                pos += len + MAC;
                len = Math.min(remaining, MAX_PT_CHUNK);
                remaining -= len;
            } while (len > 0);
        }
        out.writerIndex(pos);
        frames.readerIndex(end);
    }

    /**
     * As {@link #encryptInto} for an output without an array (a direct buffer): the ciphertext is sealed into
     * the per-thread scratch and copied into {@code out} whenever the scratch is full, and at the end.
     */
    private void encryptStaged(ByteBuf frames, ByteBuf out) throws NoiseFailure {
        byte[] s = SCRATCH.get();
        int pos = 0;
        int idx = frames.readerIndex();
        int end = frames.writerIndex();
        while (idx < end) {
            int remaining = FrameHeader.msgLengthAt(frames, idx);
            int len = FrameHeader.SIZE;
            do {
                if (pos + len + MAC > s.length) {
                    out.writeBytes(s, 0, pos);
                    pos = 0;
                }
                if (frames.hasArray()) {
                    sender.encrypt(frames.array(), frames.arrayOffset() + idx, len, s, pos);
                } else {
                    frames.getBytes(idx, s, pos, len);
                    sender.encrypt(s, pos, len, s, pos);
                }
                idx += len;
                pos += len + MAC;
                len = Math.min(remaining, MAX_PT_CHUNK);
                remaining -= len;
            } while (len > 0);
        }
        out.writeBytes(s, 0, pos);
        frames.readerIndex(end);
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
        failPending();
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
        close();
        cancelTimeout();
        failPending();
        Sv2Handlers.fail(ctx, kind, detail);
    }

    /**
     * Fails the writes queued before the handshake completed. The exception (and its stack trace) is made only
     * when there is one to fail: every close goes through here, and in a reconnect storm almost none has any.
     */
    private void failPending() {
        ArrayDeque<PendingWrite> queued = pending;
        pending = null;
        if (queued != null && !queued.isEmpty()) {
            failAll(queued, new ClosedChannelException());
        }
    }

    private static void failAll(ArrayDeque<PendingWrite> queued, Throwable cause) {
        PendingWrite p;
        while ((p = queued.poll()) != null) {
            p.frames().release();
            p.promise().tryFailure(cause);
        }
    }
}
