package org.hyperhash.sv2.message;

import org.hyperhash.base.Bytes;

/**
 * A TLV extension field appended after a message's core fields (sv2-spec extensions 0x0001
 * negotiation). On the wire, as SRI encodes it: type = U16 LE extension_type ‖ U8 field_type,
 * length = U16 LE, then the value.
 *
 * @param extensionType the extension that defines the field (e.g. 0x0002)
 * @param fieldType the field within that extension (e.g. 0x01 user_identity)
 * @param value at most 65535 bytes
 */
public record Tlv(int extensionType, int fieldType, Bytes value) {
    public static final int EXT_WORKER_HASHRATE = 0x0002;
    public static final int FIELD_USER_IDENTITY = 0x01;

    public Tlv {
        Sv2Message.checkRange("tlv.extension_type", extensionType, 0xFFFF);
        Sv2Message.checkRange("tlv.field_type", fieldType, 0xFF);
        Sv2Message.checkLength("tlv.value", value, 0xFFFF);
    }
}
