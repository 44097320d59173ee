package org.hyperhash.sv2.binary;

import io.netty.buffer.ByteBuf;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.HotPath;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.codec.Sv2DecodeException;
import org.hyperhash.sv2.codec.Sv2DecodeException.Reason;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;

/**
 * Bounds-checked readers for every SV2 binary type (all integers little-endian). Each reader checks
 * {@link ByteBuf#readableBytes()} before touching the buffer and enforces the type's length limit
 * before allocating, so a hostile length prefix can neither cause an unchecked exception nor a large
 * allocation. Failures are {@link Sv2DecodeException}s naming {@code field}; the codec adds the
 * message name.
 */
@HotPath
public final class BinaryReader {

    /** Reads one element of a sequence or option. */
    @FunctionalInterface
    public interface ElementReader<T> {
        T read(ByteBuf in, String field) throws Sv2DecodeException;
    }

    private BinaryReader() {
    }

    /** Fails with {@link Reason#TRUNCATED} unless {@code n} bytes are readable. */
    public static void require(ByteBuf in, String field, int n) throws Sv2DecodeException {
        if (in.readableBytes() < n) {
            throw Sv2DecodeException.of(field, Reason.TRUNCATED,
                    "needs " + n + " bytes, " + in.readableBytes() + " left");
        }
    }

    public static int readU8(ByteBuf in, String field) throws Sv2DecodeException {
        require(in, field, 1);
        return in.readUnsignedByte();
    }

    /** BOOL: only bit 0 is significant (as SRI decodes it). */
    public static boolean readBool(ByteBuf in, String field) throws Sv2DecodeException {
        require(in, field, 1);
        return (in.readByte() & 1) != 0;
    }

    public static int readU16Le(ByteBuf in, String field) throws Sv2DecodeException {
        require(in, field, 2);
        return in.readUnsignedShortLE();
    }

    public static int readU24Le(ByteBuf in, String field) throws Sv2DecodeException {
        require(in, field, 3);
        return in.readUnsignedMediumLE();
    }

    /** U32, returned as the raw 32 bits (unsigned value = {@code Integer.toUnsignedLong}). */
    public static int readU32Le(ByteBuf in, String field) throws Sv2DecodeException {
        require(in, field, 4);
        return in.readIntLE();
    }

    /** U64, returned as the raw 64 bits (unsigned). */
    public static long readU64Le(ByteBuf in, String field) throws Sv2DecodeException {
        require(in, field, 8);
        return in.readLongLE();
    }

    /** F32: IEEE-754 binary32, little-endian; NaN payloads are preserved bit for bit. */
    public static float readF32Le(ByteBuf in, String field) throws Sv2DecodeException {
        require(in, field, 4);
        return Float.intBitsToFloat(in.readIntLE());
    }

    /** U256 read as a little-endian 256-bit integer (targets). */
    public static Target readU256Target(ByteBuf in, String field) throws Sv2DecodeException {
        require(in, field, 32);
        long l0 = in.readLongLE();
        long l1 = in.readLongLE();
        long l2 = in.readLongLE();
        long l3 = in.readLongLE();
        return new Target(l0, l1, l2, l3);
    }

    /** U256 carrying a hash in raw (internal / wire) byte order. */
    public static Hash256 readU256Hash(ByteBuf in, String field) throws Sv2DecodeException {
        require(in, field, 32);
        byte[] b = new byte[32];
        in.readBytes(b);
        return Hash256.wrap(b);
    }

    /** Exactly {@code n} raw bytes (BYTES type, length implied by context). */
    public static Bytes readBytes(ByteBuf in, String field, int n) throws Sv2DecodeException {
        require(in, field, n);
        if (n == 0) {
            return Bytes.EMPTY;
        }
        byte[] b = new byte[n];
        in.readBytes(b);
        return Bytes.wrap(b);
    }

    public static Bytes readB032(ByteBuf in, String field) throws Sv2DecodeException {
        return readB0(in, field, readU8(in, field), Sv2Types.B0_32_MAX, "B0_32");
    }

    public static Bytes readB0255(ByteBuf in, String field) throws Sv2DecodeException {
        return readB0(in, field, readU8(in, field), Sv2Types.B0_255_MAX, "B0_255");
    }

    public static Bytes readB064K(ByteBuf in, String field) throws Sv2DecodeException {
        return readB0(in, field, readU16Le(in, field), Sv2Types.B0_64K_MAX, "B0_64K");
    }

    public static Bytes readB016M(ByteBuf in, String field) throws Sv2DecodeException {
        return readB0(in, field, readU24Le(in, field), Sv2Types.B0_16M_MAX, "B0_16M");
    }

    /**
     * A B0_x field with an additional, tighter limit (e.g. the 32-byte user_identity TLV). The length
     * prefix has {@code prefixBytes} (1, 2 or 3) bytes.
     */
    public static Bytes readB0Limited(ByteBuf in, String field, int prefixBytes, int max) throws Sv2DecodeException {
        int len = switch (prefixBytes) {
            case 1 -> readU8(in, field);
            case 2 -> readU16Le(in, field);
            case 3 -> readU24Le(in, field);
            default -> throw new IllegalArgumentException("prefixBytes " + prefixBytes);
        };
        return readB0(in, field, len, max, "B0_" + max);
    }

    private static Bytes readB0(ByteBuf in, String field, int len, int max, String type) throws Sv2DecodeException {
        if (len > max) {
            throw Sv2DecodeException.of(field, Reason.LENGTH_LIMIT, "length " + len + " exceeds " + type + " limit " + max);
        }
        if (in.readableBytes() < len) {
            throw Sv2DecodeException.of(field, Reason.TRUNCATED,
                    "length prefix " + len + " but " + in.readableBytes() + " bytes left");
        }
        return readBytes(in, field, len);
    }

    /** STR0_255: U8 length + bytes, which must be valid UTF-8 (rejected otherwise, so re-encoding is exact). */
    public static String readStr0255(ByteBuf in, String field) throws Sv2DecodeException {
        int len = readU8(in, field);
        if (in.readableBytes() < len) {
            throw Sv2DecodeException.of(field, Reason.TRUNCATED,
                    "length prefix " + len + " but " + in.readableBytes() + " bytes left");
        }
        if (len == 0) {
            return "";
        }
        int start = in.readerIndex();
        boolean ascii = true;
        for (int i = 0; i < len; i++) {
            if (in.getByte(start + i) < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            String s = in.toString(start, len, StandardCharsets.US_ASCII);
            in.skipBytes(len);
            return s;
        }
        byte[] b = new byte[len];
        in.readBytes(b);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            if (LOSSY_STRINGS.get()[0]) {
                return new String(b, StandardCharsets.UTF_8); // malformed sequences become U+FFFD
            }
            throw Sv2DecodeException.of(field, Reason.INVALID_UTF8, "STR0_255 is not valid UTF-8");
        }
    }

    /**
     * Set only while {@code Sv2Codec.decodeLossyStrings} runs on this thread: STR0_255 fields that are not
     * UTF-8 decode with U+FFFD replacements instead of failing. Consulted on the non-UTF-8 path only.
     */
    public static final ThreadLocal<boolean[]> LOSSY_STRINGS = ThreadLocal.withInitial(() -> new boolean[1]);

    /**
     * SEQ0_255[T]. {@code minElementBytes} (the smallest encoding of one element) is used to reject an
     * element count the remaining bytes cannot possibly hold before anything is allocated.
     */
    public static <T> List<T> readSeq0255(ByteBuf in, String field, int minElementBytes, ElementReader<T> element)
            throws Sv2DecodeException {
        return readSeq(in, field, readU8(in, field), minElementBytes, element);
    }

    /** SEQ0_64K[T]; see {@link #readSeq0255}. */
    public static <T> List<T> readSeq064K(ByteBuf in, String field, int minElementBytes, ElementReader<T> element)
            throws Sv2DecodeException {
        return readSeq(in, field, readU16Le(in, field), minElementBytes, element);
    }

    private static <T> List<T> readSeq(ByteBuf in, String field, int count, int minElementBytes, ElementReader<T> element)
            throws Sv2DecodeException {
        if (count == 0) {
            return List.of();
        }
        if ((long) count * minElementBytes > in.readableBytes()) {
            throw Sv2DecodeException.of(field, Reason.TRUNCATED, count + " elements need at least "
                    + (long) count * minElementBytes + " bytes, " + in.readableBytes() + " left");
        }
        List<T> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(element.read(in, field + "[" + i + "]"));
        }
        return Collections.unmodifiableList(out);
    }

    /** OPTION[T] (= SEQ0_1[T]): 0x00 absent, 0x01 followed by T; any other count is invalid. */
    public static <T> T readOption(ByteBuf in, String field, ElementReader<T> element) throws Sv2DecodeException {
        int count = readU8(in, field);
        return switch (count) {
            case 0 -> null;
            case 1 -> element.read(in, field);
            default -> throw Sv2DecodeException.of(field, Reason.INVALID_OPTION, "OPTION count " + count + " (must be 0 or 1)");
        };
    }

    /** OPTION[U32] as an {@link OptionalInt} (raw 32 bits when present). */
    public static OptionalInt readOptionU32Le(ByteBuf in, String field) throws Sv2DecodeException {
        int count = readU8(in, field);
        return switch (count) {
            case 0 -> OptionalInt.empty();
            case 1 -> OptionalInt.of(readU32Le(in, field));
            default -> throw Sv2DecodeException.of(field, Reason.INVALID_OPTION, "OPTION count " + count + " (must be 0 or 1)");
        };
    }

    /** Element reader for SEQ[U256] of hashes. */
    public static Hash256 hashElement(ByteBuf in, String field) throws Sv2DecodeException {
        return readU256Hash(in, field);
    }

    /** Element reader for SEQ[U16]. */
    public static Integer u16Element(ByteBuf in, String field) throws Sv2DecodeException {
        return readU16Le(in, field);
    }

    /** Element reader for SEQ[U32]. */
    public static Integer u32Element(ByteBuf in, String field) throws Sv2DecodeException {
        return readU32Le(in, field);
    }

    /** Element reader for SEQ[B0_16M]. */
    public static Bytes b016MElement(ByteBuf in, String field) throws Sv2DecodeException {
        return readB016M(in, field);
    }

    /** Fails with {@link Reason#TRAILING_BYTES} if anything is left. */
    public static void requireFullyRead(ByteBuf in, String field) throws Sv2DecodeException {
        if (in.isReadable()) {
            throw Sv2DecodeException.of(field, Reason.TRAILING_BYTES,
                    in.readableBytes() + " unexpected bytes after the last field");
        }
    }
}
