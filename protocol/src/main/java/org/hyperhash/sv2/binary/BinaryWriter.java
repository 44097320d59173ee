package org.hyperhash.sv2.binary;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.HotPath;
import org.hyperhash.base.Target;

import java.util.List;
import java.util.OptionalInt;

/**
 * Writers for every SV2 binary type (little-endian). The message records already enforce the wire
 * limits in their constructors; the writers re-check them and throw {@link IllegalArgumentException}
 * naming the field, so no out-of-range value can ever be truncated silently onto the wire.
 */
@HotPath
public final class BinaryWriter {

    /** Writes one element of a sequence. */
    @FunctionalInterface
    public interface ElementWriter<T> {
        void write(ByteBuf out, String field, T value);
    }

    private BinaryWriter() {
    }

    public static void writeU8(ByteBuf out, String field, int v) {
        check(field, v, Sv2Types.U8_MAX);
        out.writeByte(v);
    }

    public static void writeBool(ByteBuf out, boolean v) {
        out.writeByte(v ? 1 : 0);
    }

    public static void writeU16Le(ByteBuf out, String field, int v) {
        check(field, v, Sv2Types.U16_MAX);
        out.writeShortLE(v);
    }

    public static void writeU24Le(ByteBuf out, String field, int v) {
        check(field, v, Sv2Types.U24_MAX);
        out.writeMediumLE(v);
    }

    public static void writeU32Le(ByteBuf out, int v) {
        out.writeIntLE(v);
    }

    public static void writeU64Le(ByteBuf out, long v) {
        out.writeLongLE(v);
    }

    public static void writeF32Le(ByteBuf out, float v) {
        out.writeIntLE(Float.floatToRawIntBits(v));
    }

    public static void writeU256Target(ByteBuf out, Target t) {
        out.writeLongLE(t.limb(0));
        out.writeLongLE(t.limb(1));
        out.writeLongLE(t.limb(2));
        out.writeLongLE(t.limb(3));
    }

    public static void writeU256Hash(ByteBuf out, Hash256 h) {
        out.writeBytes(h.unsafeWireBytes());
    }

    public static void writeBytes(ByteBuf out, Bytes b) {
        out.writeBytes(b.unsafeArray());
    }

    public static void writeB032(ByteBuf out, String field, Bytes b) {
        writeB0(out, field, b, 1, Sv2Types.B0_32_MAX);
    }

    public static void writeB0255(ByteBuf out, String field, Bytes b) {
        writeB0(out, field, b, 1, Sv2Types.B0_255_MAX);
    }

    public static void writeB064K(ByteBuf out, String field, Bytes b) {
        writeB0(out, field, b, 2, Sv2Types.B0_64K_MAX);
    }

    public static void writeB016M(ByteBuf out, String field, Bytes b) {
        writeB0(out, field, b, 3, Sv2Types.B0_16M_MAX);
    }

    private static void writeB0(ByteBuf out, String field, Bytes b, int prefixBytes, int max) {
        int len = b.length();
        check(field, len, max);
        switch (prefixBytes) {
            case 1 -> out.writeByte(len);
            case 2 -> out.writeShortLE(len);
            default -> out.writeMediumLE(len);
        }
        out.writeBytes(b.unsafeArray());
    }

    /** STR0_255 as UTF-8. */
    public static void writeStr0255(ByteBuf out, String field, String s) {
        int len = ByteBufUtil.utf8Bytes(s);
        check(field, len, Sv2Types.STR0_255_MAX);
        out.writeByte(len);
        ByteBufUtil.reserveAndWriteUtf8(out, s, len);
    }

    public static <T> void writeSeq0255(ByteBuf out, String field, List<T> l, ElementWriter<T> element) {
        check(field, l.size(), Sv2Types.SEQ0_255_MAX);
        out.writeByte(l.size());
        for (T t : l) {
            element.write(out, field, t);
        }
    }

    public static <T> void writeSeq064K(ByteBuf out, String field, List<T> l, ElementWriter<T> element) {
        check(field, l.size(), Sv2Types.SEQ0_64K_MAX);
        out.writeShortLE(l.size());
        for (T t : l) {
            element.write(out, field, t);
        }
    }

    /** OPTION[T]: 0x00, or 0x01 followed by the value. */
    public static <T> void writeOption(ByteBuf out, String field, T valueOrNull, ElementWriter<T> element) {
        if (valueOrNull == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            element.write(out, field, valueOrNull);
        }
    }

    public static void writeOptionU32Le(ByteBuf out, OptionalInt v) {
        if (v.isPresent()) {
            out.writeByte(1);
            out.writeIntLE(v.getAsInt());
        } else {
            out.writeByte(0);
        }
    }

    /** Element writer for SEQ[U256] of hashes. */
    public static void hashElement(ByteBuf out, String field, Hash256 h) {
        writeU256Hash(out, h);
    }

    /** Element writer for SEQ[U16]. */
    public static void u16Element(ByteBuf out, String field, Integer v) {
        writeU16Le(out, field, v);
    }

    /** Element writer for SEQ[U32]. */
    public static void u32Element(ByteBuf out, String field, Integer v) {
        out.writeIntLE(v);
    }

    /** Element writer for SEQ[B0_16M]. */
    public static void b016MElement(ByteBuf out, String field, Bytes b) {
        writeB016M(out, field, b);
    }

    private static void check(String field, int v, int max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(field + " out of range 0.." + max + ": " + v);
        }
    }
}
