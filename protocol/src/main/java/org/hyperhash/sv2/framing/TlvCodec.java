package org.hyperhash.sv2.framing;

import io.netty.buffer.ByteBuf;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.binary.BinaryReader;
import org.hyperhash.sv2.codec.Sv2DecodeException;
import org.hyperhash.sv2.codec.Sv2DecodeException.Reason;
import org.hyperhash.sv2.message.Tlv;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * TLV extension fields as SRI puts them on the wire: extension_type U16 LE ‖ field_type U8 ‖ length U16 LE ‖
 * value (stratum-mining/stratum sv2/parsers-sv2/src/tlv/codec.rs, {@code Tlv::encode}/{@code Tlv::decode}).
 * The spec's example bytes ({@code 00 02 01 00 0A ...}, sv2-spec 3.4.3 and the 0x0002 extension) are
 * big-endian; they disagree with SRI and interop with SRI wins: what SRI sends is what we read and write
 * (golden vectors in vectors/sv2_framing_and_tlv.json and FramingVectorTest). {@link #decode} checks the
 * 0x0002/0x01 user_identity limit (32 bytes); {@link #decodeLenient}, used for messages from peers, does not:
 * unexpected or oversized TLVs are ignored by the application, never a reason to close.
 */
public final class TlvCodec {
    /** type (3) + length (2). */
    public static final int TLV_HEADER_SIZE = 5;
    /** Extension 0x0002 user_identity limit (SRI MAX_USER_IDENTITY_LENGTH). */
    public static final int MAX_USER_IDENTITY_BYTES = 32;

    private TlvCodec() {
    }

    public static void encode(Tlv tlv, ByteBuf out) {
        out.writeShortLE(tlv.extensionType());
        out.writeByte(tlv.fieldType());
        out.writeShortLE(tlv.value().length());
        out.writeBytes(tlv.value().unsafeArray());
    }

    public static void encodeAll(List<Tlv> tlvs, ByteBuf out) {
        for (Tlv t : tlvs) {
            encode(t, out);
        }
    }

    /** Reads one TLV; field names are {@code tlv[index].…}. */
    public static Tlv decode(ByteBuf in, int index) throws Sv2DecodeException {
        String prefix = "tlv[" + index + "]";
        if (in.readableBytes() < TLV_HEADER_SIZE) {
            throw Sv2DecodeException.of(prefix, Reason.TRUNCATED,
                    "TLV header needs 5 bytes, " + in.readableBytes() + " left");
        }
        int ext = in.readUnsignedShortLE();
        int field = in.readUnsignedByte();
        int len = in.readUnsignedShortLE();
        String name = prefix + fieldName(ext, field);
        if (ext == Tlv.EXT_WORKER_HASHRATE && field == Tlv.FIELD_USER_IDENTITY && len > MAX_USER_IDENTITY_BYTES) {
            throw Sv2DecodeException.of(name, Reason.LENGTH_LIMIT,
                    "length " + len + " exceeds limit " + MAX_USER_IDENTITY_BYTES);
        }
        if (in.readableBytes() < len) {
            throw Sv2DecodeException.of(name, Reason.TRUNCATED,
                    "TLV length " + len + " but " + in.readableBytes() + " bytes left");
        }
        Bytes value = BinaryReader.readBytes(in, name, len);
        return new Tlv(ext, field, value);
    }

    /**
     * Reads TLVs until the buffer is exhausted, without length limits per field; a malformed tail (fewer than 5
     * header bytes, or a length beyond the bytes left) is skipped, as SRI's {@code TlvList::to_vec} skips a
     * decode error. The buffer is always consumed.
     */
    public static List<Tlv> decodeLenient(ByteBuf in) {
        if (!in.isReadable()) {
            return List.of();
        }
        List<Tlv> out = new ArrayList<>(1);
        while (in.readableBytes() >= TLV_HEADER_SIZE) {
            int at = in.readerIndex();
            int len = in.getUnsignedShortLE(at + 3);
            if (in.readableBytes() < TLV_HEADER_SIZE + len) {
                break;
            }
            int ext = in.getUnsignedShortLE(at);
            int field = in.getUnsignedByte(at + 2);
            byte[] v = new byte[len];
            in.getBytes(at + TLV_HEADER_SIZE, v);
            in.skipBytes(TLV_HEADER_SIZE + len);
            out.add(new Tlv(ext, field, Bytes.wrap(v)));
        }
        in.skipBytes(in.readableBytes());
        return Collections.unmodifiableList(out);
    }

    /** Reads TLVs until the buffer is exhausted (partial TLVs are rejected). */
    public static List<Tlv> decodeAll(ByteBuf in) throws Sv2DecodeException {
        if (!in.isReadable()) {
            return List.of();
        }
        List<Tlv> out = new ArrayList<>(1);
        int i = 0;
        while (in.isReadable()) {
            out.add(decode(in, i++));
        }
        return Collections.unmodifiableList(out);
    }

    private static String fieldName(int ext, int field) {
        if (ext == Tlv.EXT_WORKER_HASHRATE && field == Tlv.FIELD_USER_IDENTITY) {
            return "(0x0002,0x01).user_identity";
        }
        return String.format("(0x%04x,0x%02x)", ext, field);
    }
}
