package org.hyperhash.sv1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;

import java.nio.charset.StandardCharsets;

/**
 * SV1 line codec: newline-delimited JSON (LF or CRLF), at most {@code maxLineBytes} per line. A
 * longer line raises {@link io.netty.handler.codec.TooLongFrameException} through
 * {@code exceptionCaught} (fail fast, nothing buffered beyond the limit); a line that is not
 * valid JSON-RPC arrives as {@link Sv1Malformed}. Outbound, {@link Sv1Message}s and pre-serialized
 * {@link String} lines (for fan-out of one notify to many miners) are written with a trailing LF.
 *
 * <pre>[sv1-lines: line decoder + JSON] [sv1-out: encoder] [application]</pre>
 *
 * <p>Framing and parsing are one handler ({@link LineJsonDecoder}, a {@link LineBasedFrameDecoder} that parses its
 * frames) rather than a frame decoder followed by a {@code MessageToMessageDecoder}: one handler context fewer per
 * connection and one pipeline hop fewer per line. In a connect storm every connection builds its pipeline, so each
 * handler is per-connection work (a context, its mask and sharability lookups) that the JIT compiled during the storm.
 */
public final class Sv1Pipeline {
    /** The line decoder, which also parses each line ({@link LineJsonDecoder}). */
    public static final String LINES = "sv1-lines";
    public static final String OUT = "sv1-out";
    /** Default line limit: firmware lines are a few hundred bytes; notify with a long coinbase is ~2 KiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024;

    private Sv1Pipeline() {
    }

    public static void install(ChannelPipeline p, int maxLineBytes) {
        installDecoder(p, maxLineBytes);
        p.addLast(OUT, ENCODER);
    }

    /**
     * The inbound half only ({@link #LINES}), for an application that writes {@link ByteBuf}s it encoded with
     * {@link #encode}: no encoder handler per connection, and a write goes from the pipeline's tail to the socket
     * without passing one (the translator's SV1 server: per-connection work in a connect storm).
     */
    public static void installDecoder(ChannelPipeline p, int maxLineBytes) {
        if (maxLineBytes < 64) {
            throw new IllegalArgumentException("maxLineBytes must be >= 64: " + maxLineBytes);
        }
        p.addLast(LINES, new LineJsonDecoder(maxLineBytes));
    }

    /**
     * {@code msg} (an {@link Sv1Message} or a pre-serialized {@link String} line) as the bytes the {@link #OUT} encoder
     * writes for it: the line and a LF, in a new buffer from {@code alloc} (an I/O buffer, as the encoder's).
     */
    public static ByteBuf encode(ByteBufAllocator alloc, Object msg) {
        ByteBuf out = alloc.ioBuffer();
        try {
            encode(msg, out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * Appends {@code msg} (an {@link Sv1Message} or a pre-serialized {@link String} line) to {@code out} as the bytes the
     * {@link #OUT} encoder writes for it (the line and a LF): several lines of one connection in one buffer.
     */
    public static void encode(Object msg, ByteBuf out) {
        if (!(msg instanceof Sv1Message || msg instanceof String)) {
            throw new IllegalArgumentException("not an SV1 line: " + (msg == null ? "null" : msg.getClass().getName()));
        }
        writeLine(msg, out);
    }

    private static void writeLine(Object msg, ByteBuf out) {
        if (msg instanceof Sv1Message.Response r && Sv1Json.writePlainResponse(r, out)) {
            out.writeByte('\n'); // a share reply: the same bytes as below, without a tree and a String
            return;
        }
        if (msg instanceof Sv1Message.Request r && writeSetDifficulty(r, out)) {
            return;
        }
        String s = msg instanceof String str ? str : Sv1Json.write((Sv1Message) msg);
        ByteBufUtil.writeUtf8(out, s);
        out.writeByte('\n');
    }

    private static final Encoder ENCODER = new Encoder();

    /** A set_difficulty notification's line (with its LF) for one difficulty; immutable, shared by all loops. */
    private record DifficultyLine(long bits, byte[] line) {
    }

    /** The last set_difficulty line encoded (every new miner gets the same start difficulty). */
    private static volatile DifficultyLine lastDifficultyLine;

    /**
     * A {@code mining.set_difficulty} notification with one double parameter: the bytes of the last one when it had the
     * same difficulty (they are what {@link Sv1Json#write} gives for it), else encoded and kept. Per new miner the line
     * was a Jackson tree, a generator and a {@code Double.toString}, which C2 compiled during a connect storm. False
     * (nothing written) for anything else.
     */
    private static boolean writeSetDifficulty(Sv1Message.Request r, ByteBuf out) {
        if (!r.id().isNull() || !"mining.set_difficulty".equals(r.method()) || r.params().size() != 1
                || !r.params().get(0).isDouble()) {
            return false;
        }
        long bits = Double.doubleToRawLongBits(r.params().get(0).doubleValue());
        DifficultyLine last = lastDifficultyLine;
        if (last == null || last.bits() != bits) {
            last = new DifficultyLine(bits, (Sv1Json.write(r) + "\n").getBytes(StandardCharsets.UTF_8));
            lastDifficultyLine = last;
        }
        out.writeBytes(last.line());
        return true;
    }

    /**
     * Bytes → one {@link Sv1Message} or {@link Sv1Malformed} per line (LF or CRLF, the delimiter stripped, fail fast
     * on a line longer than the limit: {@link LineBasedFrameDecoder}'s rules); empty and blank lines are skipped.
     */
    static final class LineJsonDecoder extends LineBasedFrameDecoder {
        LineJsonDecoder(int maxLineBytes) {
            super(maxLineBytes, true, true);
        }

        @Override
        protected Object decode(ChannelHandlerContext ctx, ByteBuf buffer) throws Exception {
            ByteBuf line = (ByteBuf) super.decode(ctx, buffer);
            if (line == null) {
                return null;
            }
            try {
                return parse(line);
            } finally {
                line.release();
            }
        }

        /** The message of one line, or null for an empty or blank one (the decoder then reads on). */
        static Object parse(ByteBuf line) {
            if (!line.isReadable()) {
                return null;
            }
            String s = line.toString(StandardCharsets.UTF_8);
            if (s.isBlank()) {
                return null;
            }
            try {
                return Sv1Json.parse(s);
            } catch (Sv1ParseException e) {
                return new Sv1Malformed(e.getMessage());
            }
        }
    }

    /** {@link Sv1Message} or String → line bytes + LF. */
    @ChannelHandler.Sharable
    static final class Encoder extends MessageToByteEncoder<Object> {
        @Override
        public boolean acceptOutboundMessage(Object msg) {
            return msg instanceof Sv1Message || msg instanceof String;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
            writeLine(msg, out);
        }
    }
}
