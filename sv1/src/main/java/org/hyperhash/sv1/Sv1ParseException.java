package org.hyperhash.sv1;

/**
 * A line or parameter that is not valid SV1. The message names the field (e.g.
 * {@code mining.submit params[2] extranonce2: expected 8 hex digits, got 6}); it never echoes more
 * than a short prefix of the offending input.
 */
public final class Sv1ParseException extends Exception {
    private static final long serialVersionUID = 1L;

    public Sv1ParseException(String message) {
        super(message);
    }

    /** Shortens untrusted text for inclusion in an error message. */
    static String excerpt(String s) {
        if (s == null) {
            return "null";
        }
        String t = Sv1Json.printablePrefix(s, 40);
        return s.length() > 40 ? t + "..." : t;
    }
}
