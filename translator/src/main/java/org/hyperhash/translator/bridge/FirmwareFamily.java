package org.hyperhash.translator.bridge;

import java.util.Locale;

/**
 * Bounded label set for per-firmware metrics, derived from the mining.subscribe user agent. Anything
 * unrecognised is {@link #OTHER}, so a miner can never create a new time series.
 */
public enum FirmwareFamily {
    ANTMINER, WHATSMINER, AVALON, BRAIINS, LUXOS, VNISH, BITAXE, NERDMINER, CGMINER, BFGMINER, CPUMINER, HYPERHASH,
    OTHER, UNKNOWN;

    /** Lower-case label. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FirmwareFamily of(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return UNKNOWN;
        }
        String u = userAgent.toLowerCase(Locale.ROOT);
        if (u.contains("bmminer") || u.contains("antminer") || u.contains("bitmain")) {
            return ANTMINER;
        }
        if (u.contains("whatsminer") || u.contains("btminer")) {
            return WHATSMINER;
        }
        if (u.contains("avalon") || u.contains("canaan")) {
            return AVALON;
        }
        if (u.contains("braiins") || u.contains("bosminer") || u.contains("bos+")) {
            return BRAIINS;
        }
        if (u.contains("luxminer") || u.contains("luxos")) {
            return LUXOS;
        }
        if (u.contains("vnish")) {
            return VNISH;
        }
        if (u.contains("bitaxe") || u.contains("esp-miner") || u.contains("espminer")) {
            return BITAXE;
        }
        if (u.contains("nerdminer") || u.contains("nerd")) {
            return NERDMINER;
        }
        if (u.contains("cgminer")) {
            return CGMINER;
        }
        if (u.contains("bfgminer")) {
            return BFGMINER;
        }
        if (u.contains("cpuminer")) {
            return CPUMINER;
        }
        if (u.startsWith("hyperhash")) {
            return HYPERHASH;
        }
        return OTHER;
    }
}
