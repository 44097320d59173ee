package org.hyperhash.cli.demo;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code hh demo} shows: a small dashboard redrawn in place when stdout is a terminal, one plain
 * line per interval otherwise. Pure rendering of a {@link Snapshot} (taken by {@link DemoRunner}), so
 * the layout is unit-tested without a running stack.
 */
public final class DemoScreen {
    /** ANSI: cursor to the top-left corner. */
    static final String HOME = "\u001b[H";
    /** ANSI: erase from the cursor to the end of the line. */
    static final String ERASE_LINE = "\u001b[K";
    /** ANSI: erase from the cursor to the end of the screen. */
    static final String ERASE_BELOW = "\u001b[J";
    /** ANSI: erase the whole screen (once, before the first frame). */
    static final String CLEAR = "\u001b[2J";

    private DemoScreen() {
    }

    /**
     * One reading of the stack.
     *
     * @param uptime since the demo started
     * @param height chain height now
     * @param startHeight chain height when the miners started
     * @param lastBlockHash display hex of the tip
     * @param lastBlockAge time since the tip's timestamp (null when unknown)
     * @param hashrateHps pool hashrate estimate
     * @param connections SV2 connections on the pool (the translator's per-miner connections included)
     * @param channels open mining channels (one per worker)
     * @param addresses payout addresses with at least one accepted share
     * @param accepted shares accepted
     * @param rejected shares rejected
     * @param topRejectReason the most frequent reject reason (null when none)
     * @param topRejectCount how many shares it rejected
     * @param blocksFound blocks the pool found
     * @param owedSats balances the treasury owes (dry-run payouts)
     */
    public record Snapshot(Duration uptime, long height, long startHeight, String lastBlockHash, Duration lastBlockAge,
            double hashrateHps, int connections, int channels, int addresses, long accepted, long rejected,
            String topRejectReason, long topRejectCount, long blocksFound, long owedSats) {
        /** Blocks the chain accepted since the miners started. */
        public long chainAccepted() {
            return height - startHeight;
        }
    }

    /** A line of the endpoint list: what it is and the URL or address to use. */
    public record Endpoint(String label, String value) {
    }

    /** The plain line printed once per interval when stdout is not a terminal (logs, CI, pipes). */
    public static String plainLine(Snapshot s) {
        return String.format(Locale.ROOT, "height %d | hashrate %s | miners %d workers %d | shares accepted %d rejected %d%s | "
                + "blocks found %d (chain accepted %d) | credited %d | owed %d sats (dry-run)", s.height(),
                hashrate(s.hashrateHps()), s.connections(), s.channels(), s.accepted(), s.rejected(), topReject(s, " "),
                s.blocksFound(), s.chainAccepted(), s.addresses(), s.owedSats());
    }

    /** The dashboard's lines (no ANSI codes). */
    public static List<String> dashboard(Snapshot s, List<Endpoint> endpoints, String footer) {
        List<String> l = new ArrayList<>();
        l.add(String.format(Locale.ROOT, "Hyperhash demo: devnet chain, dry-run payouts   up %s   Ctrl-C to stop", clock(s.uptime())));
        l.add("");
        l.add(String.format(Locale.ROOT, "  Chain     height %d, last block %s%s", s.height(), shortHash(s.lastBlockHash()),
                s.lastBlockAge() == null ? "" : " (" + ago(s.lastBlockAge()) + ")"));
        l.add(String.format(Locale.ROOT, "  Pool      hashrate %s, miners %d (connections), workers %d (channels)",
                hashrate(s.hashrateHps()), s.connections(), s.channels()));
        l.add(String.format(Locale.ROOT, "  Shares    accepted %d, rejected %d%s", s.accepted(), s.rejected(), topReject(s, ", ")));
        l.add(String.format(Locale.ROOT, "  Blocks    found %d, accepted by the chain %d", s.blocksFound(), s.chainAccepted()));
        l.add(String.format(Locale.ROOT, "  Balances  %s BTC (%d sats) owed to %d miner address(es) (treasury, dry-run)",
                BigDecimal.valueOf(s.owedSats(), 8).toPlainString(), s.owedSats(), s.addresses()));
        l.add("");
        l.add("  Connect and look");
        int w = endpoints.stream().mapToInt(e -> e.label().length()).max().orElse(0);
        for (Endpoint e : endpoints) {
            l.add("    " + e.label() + " ".repeat(w - e.label().length()) + "  " + e.value());
        }
        if (footer != null && !footer.isEmpty()) {
            l.add("");
            l.add("  " + footer);
        }
        return l;
    }

    /**
     * One frame for a terminal: cursor home, every line followed by erase-to-end-of-line (so a shorter line
     * leaves no residue), then erase below. Redrawing in place instead of clearing first avoids flicker.
     */
    public static String frame(List<String> lines) {
        StringBuilder b = new StringBuilder(HOME);
        for (String line : lines) {
            b.append(line).append(ERASE_LINE).append('\n');
        }
        return b.append(ERASE_BELOW).toString();
    }

    static String hashrate(double hps) {
        if (hps >= 1e9) {
            return String.format(Locale.ROOT, "%.2f GH/s", hps / 1e9);
        }
        if (hps >= 1e6) {
            return String.format(Locale.ROOT, "%.2f MH/s", hps / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f kH/s", hps / 1e3);
    }

    private static String topReject(Snapshot s, String sep) {
        return s.topRejectReason() == null ? "" : sep + "top reason " + s.topRejectReason() + " (" + s.topRejectCount() + ")";
    }

    static String shortHash(String hex) {
        return hex == null || hex.length() < 16 ? String.valueOf(hex) : hex.substring(0, 8) + ".." + hex.substring(hex.length() - 8);
    }

    static String clock(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + " s ago" : s / 60 + " min ago";
    }
}
