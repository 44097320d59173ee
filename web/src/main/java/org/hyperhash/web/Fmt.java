package org.hyperhash.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Text formatting and HTML escaping of the pages (every dynamic value goes through {@link #h}). */
final class Fmt {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String[] RATE_UNITS = {"H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s", "EH/s", "ZH/s"};

    private Fmt() {
    }

    /** HTML-escapes text for element content and double-quoted attributes. */
    static String h(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Percent-encodes a query parameter value (RFC 3986 unreserved characters kept). */
    static String q(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String hashrate(double hps) {
        if (!(hps > 0)) {
            return "0 H/s";
        }
        int u = 0;
        double v = hps;
        while (v >= 1000 && u < RATE_UNITS.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, RATE_UNITS[u]);
    }

    private static final String[] DIFF_UNITS = {"", "k", "M", "G", "T", "P", "E"};

    /**
     * A share difficulty as pools show it: 3 significant digits and an SI prefix (1.23 M, 45.6 G); below 1 (test
     * networks) 3 significant digits, in exponent form when tiny (0.0123, 1.85e-08); "-" for none.
     */
    static String difficulty(double d) {
        if (!(d > 0) || Double.isInfinite(d)) {
            return "-";
        }
        if (d < 1) {
            return String.format(Locale.ROOT, "%.3g", d);
        }
        int u = 0;
        double v = d;
        while (v >= 1000 && u < DIFF_UNITS.length - 1) {
            v /= 1000;
            u++;
        }
        String n = String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
        return DIFF_UNITS[u].isEmpty() ? n : n + " " + DIFF_UNITS[u];
    }

    /** Rejected shares by reason, as "stale share 3, duplicate share 1" (reason names are the pool's bounded set). */
    static String reasons(java.util.Map<String, Long> byReason) {
        StringBuilder b = new StringBuilder();
        for (var e : byReason.entrySet()) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            b.append(e.getKey().replace('_', ' ')).append(' ').append(String.format(Locale.ROOT, "%,d", e.getValue()));
        }
        return b.toString();
    }

    static String sats(long sats) {
        return String.format(Locale.ROOT, "%,d sats", sats);
    }

    static String msatAsSats(long msat) {
        return msat % 1000 == 0 ? sats(msat / 1000) : String.format(Locale.ROOT, "%,.3f sats", msat / 1000.0);
    }

    static String time(long ms) {
        return UTC.format(Instant.ofEpochMilli(ms));
    }

    static String ago(long ms, long nowMs) {
        long s = Math.max(0, (nowMs - ms) / 1000);
        if (s < 60) {
            return s + " s ago";
        }
        if (s < 3600) {
            return s / 60 + " min ago";
        }
        if (s < 86400) {
            return s / 3600 + " h " + (s % 3600) / 60 + " min ago";
        }
        return s / 86400 + " d ago";
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return Math.abs(v) >= 1000 ? String.format(Locale.ROOT, "%,.0f", v)
                : Math.abs(v) >= 1 ? String.format(Locale.ROOT, "%.3f", v) : String.format(Locale.ROOT, "%.6g", v);
    }

    /** An inline SVG line chart of hashrate points (no script: it renders with JavaScript off). */
    static String chart(List<LedgerView.Point> points, String label) {
        double max = 0;
        for (LedgerView.Point p : points) {
            max = Math.max(max, p.hashrateHps());
        }
        int w = 600;
        int hgt = 150;
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < points.size(); i++) {
            double x = points.size() == 1 ? 0 : i * (double) w / (points.size() - 1);
            double y = max > 0 ? hgt - points.get(i).hashrateHps() / max * (hgt - 10) : hgt;
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        String first = points.isEmpty() ? "" : time(points.getFirst().startMs());
        return "<figure class=\"chart\"><svg viewBox=\"0 0 " + w + " " + (hgt + 2) + "\" role=\"img\" aria-label=\"" + h(label)
                + "\" preserveAspectRatio=\"none\"><polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" points=\""
                + pts.toString().strip() + "\"/></svg><figcaption>" + h(label) + ": 24 h in hourly steps from " + h(first)
                + "; peak " + h(hashrate(max)) + "</figcaption></figure>";
    }
}
