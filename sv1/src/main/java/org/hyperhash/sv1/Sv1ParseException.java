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
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
