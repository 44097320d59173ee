package org.hyperhash.sv1;

import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;

/** SV1 difficulty (bdiff) and targets: {@code target = 0xFFFF * 2^208 / difficulty}. */
public final class Sv1Difficulty {
    private Sv1Difficulty() {
    }

    public static Target toTarget(double difficulty) {
        return Targets.fromDifficulty(difficulty);
    }

    public static double fromTarget(Target target) {
        return Targets.toDifficulty(target);
    }

    /**
     * Largest power of two not above {@code difficulty} (some firmware display or handle such
     * values better; it never raises the difficulty above what the target demands).
     */
    public static double floorPowerOfTwo(double difficulty) {
        if (!(difficulty > 0) || Double.isInfinite(difficulty)) {
            throw new IllegalArgumentException("difficulty must be finite and > 0: " + difficulty);
        }
        return Math.scalb(1.0, Math.getExponent(difficulty));
    }
}
