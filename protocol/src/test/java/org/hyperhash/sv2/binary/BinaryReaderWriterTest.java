package org.hyperhash.sv2.binary;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.codec.Sv2DecodeException;
import org.hyperhash.sv2.codec.Sv2DecodeException.Reason;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BinaryReaderWriterTest {
    private static final HexFormat HEX = HexFormat.of();

    private static ByteBuf hex(String h) {
        return Unpooled.wrappedBuffer(HEX.parseHex(h));
    }

    @Test
    void integersAreLittleEndian() throws Sv2DecodeException {
        ByteBuf in = hex("ff" + "3412" + "563412" + "78563412" + "efcdab8967452301" + "ffffff");
        assertEquals(0xff, BinaryReader.readU8(in, "a"));
        assertEquals(0x1234, BinaryReader.readU16Le(in, "b"));
        assertEquals(0x123456, BinaryReader.readU24Le(in, "c"));
        assertEquals(0x12345678, BinaryReader.readU32Le(in, "d"));
        assertEquals(0x0123456789abcdefL, BinaryReader.readU64Le(in, "e"));
        assertEquals(0xFFFFFF, BinaryReader.readU24Le(in, "f"));
        ByteBuf out = Unpooled.buffer();
        BinaryWriter.writeU8(out, "a", 0xff);
        BinaryWriter.writeU16Le(out, "b", 0x1234);
        BinaryWriter.writeU24Le(out, "c", 0x123456);
        BinaryWriter.writeU32Le(out, 0x12345678);
        BinaryWriter.writeU64Le(out, 0x0123456789abcdefL);
        assertEquals("ff341256341278563412efcdab8967452301", ByteBufUtil.hexDump(out));
        assertThrows(IllegalArgumentException.class, () -> BinaryWriter.writeU24Le(Unpooled.buffer(), "c", 1 << 24));
        assertThrows(IllegalArgumentException.class, () -> BinaryWriter.writeU16Le(Unpooled.buffer(), "b", -1));
    }

    @Test
    void f32KeepsBitsIncludingNanPayload() throws Sv2DecodeException {
        assertEquals(1000.0f, BinaryReader.readF32Le(hex("00007a44"), "f"));
        ByteBuf out = Unpooled.buffer();
        BinaryWriter.writeF32Le(out, BinaryReader.readF32Le(hex("0100c07f"), "f"));
        assertEquals("0100c07f", ByteBufUtil.hexDump(out));
    }

    @Test
    void u256TargetIsLittleEndianInteger() throws Sv2DecodeException {
        String le = "058215af34444e5887d6f718a4a3ee04fcc407c311dddaff61a761989d170100";
        Target t = BinaryReader.readU256Target(hex(le), "t");
        assertArrayEquals(HEX.parseHex(le), t.toLeBytes());
        ByteBuf out = Unpooled.buffer();
        BinaryWriter.writeU256Target(out, t);
        assertEquals(le, ByteBufUtil.hexDump(out));
    }

    @Test
    void b016mLimitAndTruncation() {
        ByteBuf in = hex("ffffff00");
        Sv2DecodeException e = assertThrows(Sv2DecodeException.class, () -> BinaryReader.readB016M(in, "tx"));
        assertEquals(Reason.TRUNCATED, e.reason());
        assertEquals("tx", e.field());
        Sv2DecodeException lim = assertThrows(Sv2DecodeException.class,
                () -> BinaryReader.readB0Limited(hex("21" + "00".repeat(33)), "user_identity", 1, 32));
        assertEquals(Reason.LENGTH_LIMIT, lim.reason());
    }

    @Test
    void genericOptionAndSequences() throws Sv2DecodeException {
        assertNull(BinaryReader.readOption(hex("00"), "o", BinaryReader::u16Element));
        assertEquals(7, BinaryReader.readOption(hex("010700"), "o", BinaryReader::u16Element));
        assertEquals(Reason.INVALID_OPTION, assertThrows(Sv2DecodeException.class,
                () -> BinaryReader.readOption(hex("020700"), "o", BinaryReader::u16Element)).reason());
        assertEquals(OptionalInt.of(5), BinaryReader.readOptionU32Le(hex("0105000000"), "o"));
        assertEquals(List.of(1, 2), BinaryReader.readSeq0255(hex("0201000200"), "s", 2, BinaryReader::u16Element));
        ByteBuf out = Unpooled.buffer();
        BinaryWriter.writeOption(out, "o", 7, BinaryWriter::u16Element);
        BinaryWriter.writeOption(out, "o", null, BinaryWriter::u16Element);
        BinaryWriter.writeSeq0255(out, "s", List.of(1, 2), BinaryWriter::u16Element);
        assertEquals("010700" + "00" + "0201000200", ByteBufUtil.hexDump(out));
        assertThrows(IllegalArgumentException.class,
                () -> BinaryWriter.writeSeq0255(Unpooled.buffer(), "s", java.util.Collections.nCopies(256, 1), BinaryWriter::u16Element));
    }

    @Test
    void stringsAreUtf8() throws Sv2DecodeException {
        ByteBuf out = Unpooled.buffer();
        BinaryWriter.writeStr0255(out, "s", "hé");
        assertEquals("0368c3a9", ByteBufUtil.hexDump(out));
        assertEquals("hé", BinaryReader.readStr0255(out, "s"));
        assertThrows(IllegalArgumentException.class, () -> BinaryWriter.writeStr0255(Unpooled.buffer(), "s", "é".repeat(128)));
        assertEquals(Bytes.fromHex("0102"), BinaryReader.readB032(hex("020102"), "b"));
    }
}
