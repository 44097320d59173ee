package org.hyperhash.sv2.binary;

/** Size limits of the SV2 binary types (sv2-protocol.md section 1). */
public final class Sv2Types {
    public static final int U8_MAX = 0xFF;
    public static final int U16_MAX = 0xFFFF;
    public static final int U24_MAX = 0xFF_FFFF;
    public static final int U256_BYTES = 32;
    public static final int STR0_255_MAX = 255;
    public static final int B0_32_MAX = 32;
    public static final int B0_255_MAX = 255;
    public static final int B0_64K_MAX = 0xFFFF;
    public static final int B0_16M_MAX = 0xFF_FFFF;
    public static final int SEQ0_255_MAX = 255;
    public static final int SEQ0_64K_MAX = 0xFFFF;

    private Sv2Types() {
    }
}
