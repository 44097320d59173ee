package org.hyperhash.sv2.message;

import org.hyperhash.base.Bytes;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Every SV2 message is an immutable record implementing this interface, named as in the spec. The
 * compact constructors enforce the wire limits (U8/U16 ranges, B0_x lengths, SEQ counts), so an
 * encoder can never produce a frame a peer must reject. U32 fields are held in an {@code int} and
 * are unsigned: use {@link Integer#toUnsignedLong(int)} to compare or print them.
 */
public interface Sv2Message {

    MessageType type();

    /** Messages whose frame carries the channel_msg bit: their first field is the channel id. */
    interface ChannelMessage extends Sv2Message {
        int channelId();
    }

    static void checkRange(String field, int v, int max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(field + " out of range 0.." + max + ": " + v);
        }
    }

    static void checkLength(String field, Bytes b, int max) {
        if (b == null) {
            throw new NullPointerException(field);
        }
        if (b.length() > max) {
            throw new IllegalArgumentException(field + " longer than " + max + " bytes: " + b.length());
        }
    }

    static void checkStr0255(String field, String s) {
        if (s == null) {
            throw new NullPointerException(field);
        }
        int n = s.getBytes(StandardCharsets.UTF_8).length;
        if (n > 255) {
            throw new IllegalArgumentException(field + " longer than 255 bytes (UTF-8): " + n);
        }
    }

    static void checkCount(String field, List<?> l, int max) {
        if (l.size() > max) {
            throw new IllegalArgumentException(field + " has more than " + max + " elements: " + l.size());
        }
    }
}
