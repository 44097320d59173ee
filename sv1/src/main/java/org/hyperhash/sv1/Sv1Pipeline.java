package org.hyperhash.sv1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SV1 line codec: newline-delimited JSON (LF or CRLF), at most {@code maxLineBytes} per line. A
 * longer line raises {@link io.netty.handler.codec.TooLongFrameException} through
 * {@code exceptionCaught} (fail fast, nothing buffered beyond the limit); a line that is not
 * valid JSON-RPC arrives as {@link Sv1Malformed}. Outbound, {@link Sv1Message}s and pre-serialized
 * {@link String} lines (for fan-out of one notify to many miners) are written with a trailing LF.
 *
 * <pre>[sv1-lines: LineBasedFrameDecoder] [sv1-json: decoder] [sv1-out: encoder] [application]</pre>
 */
public final class Sv1Pipeline {
    public static final String LINES = "sv1-lines";
    public static final String JSON = "sv1-json";
    public static final String OUT = "sv1-out";
    /** Default line limit: firmware lines are a few hundred bytes; notify with a long coinbase is ~2 KiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024;

    private Sv1Pipeline() {
    }

    public static void install(ChannelPipeline p, int maxLineBytes) {
        if (maxLineBytes < 64) {
            throw new IllegalArgumentException("maxLineBytes must be >= 64: " + maxLineBytes);
        }
        p.addLast(LINES, new LineBasedFrameDecoder(maxLineBytes, true, true));
        p.addLast(JSON, new JsonDecoder());
        p.addLast(OUT, ENCODER);
    }

    private static final Encoder ENCODER = new Encoder();

    /** Bytes → {@link Sv1Message} or {@link Sv1Malformed}; empty lines are skipped. */
    static final class JsonDecoder extends MessageToMessageDecoder<ByteBuf> {
        JsonDecoder() {
            super(ByteBuf.class);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf line, List<Object> out) {
            if (!line.isReadable()) {
                return;
            }
            String s = line.toString(StandardCharsets.UTF_8);
            if (s.isBlank()) {
                return;
            }
            try {
                out.add(Sv1Json.parse(s));
            } catch (Sv1ParseException e) {
                out.add(new Sv1Malformed(e.getMessage()));
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
            if (msg instanceof Sv1Message.Response r && Sv1Json.writePlainResponse(r, out)) {
                out.writeByte('\n'); // a share reply: the same bytes as below, without a tree and a String
                return;
            }
            String s = msg instanceof String str ? str : Sv1Json.write((Sv1Message) msg);
            ByteBufUtil.writeUtf8(out, s);
            out.writeByte('\n');
        }
    }
}
