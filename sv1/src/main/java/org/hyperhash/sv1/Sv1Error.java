package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.Objects;

/**
 * An SV1 error, written as pools commonly do: {@code [code, "message", null]}. Codes as common
 * pools send them: 20 other/unknown, 21 job not found (stale), 22 duplicate share, 23 low
 * difficulty share, 24 unauthorized worker, 25 not subscribed.
 *
 * @param code numeric code
 * @param message human-readable text (never contains secrets)
 */
public record Sv1Error(int code, String message) {
    public static final int OTHER = 20;
    public static final int JOB_NOT_FOUND = 21;
    public static final int DUPLICATE_SHARE = 22;
    public static final int LOW_DIFFICULTY = 23;
    public static final int UNAUTHORIZED = 24;
    public static final int NOT_SUBSCRIBED = 25;

    public Sv1Error {
        Objects.requireNonNull(message, "message");
    }

    public static Sv1Error other(String message) {
        return new Sv1Error(OTHER, message);
    }

    public static Sv1Error stale() {
        return new Sv1Error(JOB_NOT_FOUND, "Job not found (=stale)");
    }

    public static Sv1Error duplicate() {
        return new Sv1Error(DUPLICATE_SHARE, "Duplicate share");
    }

    public static Sv1Error lowDifficulty() {
        return new Sv1Error(LOW_DIFFICULTY, "Low difficulty share");
    }

    public static Sv1Error unauthorized() {
        return new Sv1Error(UNAUTHORIZED, "Unauthorized worker");
    }

    public static Sv1Error notSubscribed() {
        return new Sv1Error(NOT_SUBSCRIBED, "Not subscribed");
    }

    /** {@code [code, message, null]}. */
    public ArrayNode toJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        a.add(code);
        a.add(message);
        a.addNull();
        return a;
    }
}
