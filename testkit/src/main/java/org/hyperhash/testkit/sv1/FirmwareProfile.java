package org.hyperhash.testkit.sv1;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The opening sequence a firmware family sends, shaped after what these devices put on the wire.
 *
 * @param name label
 * @param userAgent mining.subscribe params[0]
 * @param configureFirst send mining.configure before mining.subscribe (BIP310 devices)
 * @param versionRollingMask mask requested in mining.configure (empty: no version-rolling)
 * @param minBitCount version-rolling.min-bit-count sent (as a JSON number)
 * @param extranonceSubscribe send mining.extranonce.subscribe after subscribe (cgminer style)
 * @param suggestDifficulty mining.suggest_difficulty sent after authorize
 * @param pipelined send subscribe and authorize without waiting for the subscribe result
 * @param stringIds use string ids (some firmware do) instead of numbers
 */
public record FirmwareProfile(String name, String userAgent, boolean configureFirst, OptionalInt versionRollingMask,
        int minBitCount, boolean extranonceSubscribe, OptionalDouble suggestDifficulty, boolean pipelined, boolean stringIds) {

    /** Antminer (bmminer): mining.configure first with mask 1fffe000, then pipelined subscribe/authorize. */
    public static final FirmwareProfile ANTMINER = new FirmwareProfile("antminer", "bmminer/2.0.0", true,
            OptionalInt.of(0x1fffe000), 2, false, OptionalDouble.empty(), true, false);
    /** Whatsminer (btminer): subscribe then authorize, configure after subscribe, extranonce2 up to 8. */
    public static final FirmwareProfile WHATSMINER = new FirmwareProfile("whatsminer", "btminer/3.1.0", false,
            OptionalInt.of(0x1fffe000), 2, false, OptionalDouble.empty(), false, false);
    /** Bitaxe / ESP-Miner: configure first (mask ffffffff), subscribe, authorize, suggest_difficulty. */
    public static final FirmwareProfile BITAXE = new FirmwareProfile("bitaxe", "bitaxe/BM1370/v2.4.0", true,
            OptionalInt.of(0xffffffff), 0, false, OptionalDouble.of(1e-4), false, false);
    /** cgminer: subscribe, extranonce.subscribe, authorize; no version rolling. */
    public static final FirmwareProfile CGMINER = new FirmwareProfile("cgminer", "cgminer/4.11.1", false,
            OptionalInt.empty(), 0, true, OptionalDouble.empty(), false, false);
    /** NerdMiner: string ids, no configure, suggest_difficulty with a tiny value. */
    public static final FirmwareProfile NERDMINER = new FirmwareProfile("nerdminer", "NerdMinerV2/1.6.3", false,
            OptionalInt.empty(), 0, false, OptionalDouble.of(1e-5), false, true);
}
