package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * BIP310 {@code mining.configure} request: {@code [[extension, ...], {extension-parameters}]}.
 *
 * @param extensions requested extension names (e.g. version-rolling, minimum-difficulty, subscribe-extranonce)
 * @param versionRollingMask {@code version-rolling.mask} (absent: 0xFFFFFFFF per BIP310)
 * @param versionRollingMinBitCount {@code version-rolling.min-bit-count} (0 if absent); a string is
 *     parsed as hex, as SRI does ({@code "16"} = 22)
 * @param minimumDifficulty {@code minimum-difficulty.value}
 */
public record MiningConfigure(Set<String> extensions, int versionRollingMask, int versionRollingMinBitCount,
        OptionalDouble minimumDifficulty) {
    public static final String METHOD = "mining.configure";
    public static final String VERSION_ROLLING = "version-rolling";
    public static final String MINIMUM_DIFFICULTY = "minimum-difficulty";
    public static final String SUBSCRIBE_EXTRANONCE = "subscribe-extranonce";

    public MiningConfigure {
        extensions = Set.copyOf(extensions);
    }

    public boolean wants(String extension) {
        return extensions.contains(extension);
    }

    public static MiningConfigure parse(ArrayNode p) throws Sv1ParseException {
        if (p.isEmpty() || !p.get(0).isArray()) {
            throw new Sv1ParseException("mining.configure params[0]: expected an array of extension names");
        }
        Set<String> ext = new LinkedHashSet<>();
        for (JsonNode n : p.get(0)) {
            if (!n.isTextual()) {
                throw new Sv1ParseException("mining.configure params[0]: extension names must be strings");
            }
            if (ext.size() < 16) {
                ext.add(n.asText());
            }
        }
        JsonNode o = p.size() > 1 ? p.get(1) : JsonNodeFactory.instance.objectNode();
        if (!o.isObject()) {
            throw new Sv1ParseException("mining.configure params[1]: expected an object");
        }
        int mask = -1;
        JsonNode m = o.get("version-rolling.mask");
        if (m != null && !m.isNull()) {
            String s = Sv1Hex.text("mining.configure version-rolling.mask", m);
            if (s.isEmpty() || s.length() > 8 || !Sv1Hex.isHex(s)) {
                throw new Sv1ParseException("mining.configure version-rolling.mask: expected up to 8 hex digits, got \""
                        + Sv1ParseException.excerpt(s) + "\"");
            }
            mask = (int) Long.parseLong(s, 16);
        }
        int minBits = 0;
        JsonNode mb = o.get("version-rolling.min-bit-count");
        if (mb != null && !mb.isNull()) {
            if (mb.isIntegralNumber()) {
                minBits = mb.asInt();
            } else if (mb.isTextual() && !mb.asText().isEmpty() && mb.asText().length() <= 2 && Sv1Hex.isHex(mb.asText())) {
                minBits = Integer.parseInt(mb.asText(), 16);
            } else {
                throw new Sv1ParseException("mining.configure version-rolling.min-bit-count: expected a number");
            }
            if (minBits < 0 || minBits > 32) {
                throw new Sv1ParseException("mining.configure version-rolling.min-bit-count: out of range 0..32: " + minBits);
            }
        }
        OptionalDouble minDiff = OptionalDouble.empty();
        JsonNode md = o.get("minimum-difficulty.value");
        if (md != null && !md.isNull()) {
            if (!md.isNumber() || !(md.asDouble() >= 0) || Double.isInfinite(md.asDouble())) {
                throw new Sv1ParseException("mining.configure minimum-difficulty.value: expected a number >= 0");
            }
            minDiff = OptionalDouble.of(md.asDouble());
        }
        return new MiningConfigure(ext, mask, minBits, minDiff);
    }

    /**
     * The reply object for the extensions this server supports.
     *
     * @param grantedMask the negotiated mask (empty: version rolling refused)
     * @param minimumDifficultyAccepted whether minimum-difficulty is honoured
     * @param subscribeExtranonceAccepted whether set_extranonce will be sent
     */
    public ObjectNode result(OptionalInt grantedMask, boolean minimumDifficultyAccepted, boolean subscribeExtranonceAccepted) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        if (wants(VERSION_ROLLING)) {
            if (grantedMask.isPresent() && Integer.bitCount(grantedMask.getAsInt()) >= versionRollingMinBitCount) {
                r.put(VERSION_ROLLING, true);
                r.put("version-rolling.mask", Sv1Hex.u32(grantedMask.getAsInt()));
            } else {
                r.put(VERSION_ROLLING, false);
            }
        }
        if (wants(MINIMUM_DIFFICULTY)) {
            r.put(MINIMUM_DIFFICULTY, minimumDifficultyAccepted);
        }
        if (wants(SUBSCRIBE_EXTRANONCE)) {
            r.put(SUBSCRIBE_EXTRANONCE, subscribeExtranonceAccepted);
        }
        return r;
    }
}
