package org.hyperhash.web;

import static org.hyperhash.web.Fmt.h;

import java.util.List;
import org.hyperhash.treasury.lightning.DestinationKind;
import org.hyperhash.treasury.proof.AddressProof;
import org.hyperhash.web.LedgerView.AddressSummary;
import org.hyperhash.web.LedgerView.Block;
import org.hyperhash.web.LedgerView.Page;
import org.hyperhash.web.LedgerView.Payout;
import org.hyperhash.web.LedgerView.PoolSnapshot;
import org.hyperhash.web.LedgerView.PplnsWindow;
import org.hyperhash.web.LedgerView.Worker;

/**
 * Server-side HTML of the public pages. Written out here rather than with a template engine: four small pages,
 * every dynamic value through {@link Fmt#h}, no template compile step or reflection. The pages need no script
 * (charts are inline SVG) and load nothing but {@code /static/*} from this daemon (the CSP says so to the browser).
 */
final class Pages {
    private final WebConfig cfg;

    Pages(WebConfig cfg) {
        this.cfg = cfg;
    }

    private String head(String title) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<meta name=\"color-scheme\" content=\"light dark\">"
                + "<title>" + h(title) + " - " + h(cfg.pool().name()) + "</title>"
                + "<link rel=\"stylesheet\" href=\"/static/style.css\"><link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">"
                + "</head><body><header><a class=\"brand\" href=\"/\">" + h(cfg.pool().name()) + "</a><nav>"
                + "<a href=\"/\">Pool</a><a href=\"/blocks\">Blocks</a><a href=\"/api/v1/openapi.json\">API</a></nav>"
                + "<form action=\"/address\" method=\"get\" class=\"search\"><label for=\"a\" class=\"sr\">Your payout address</label>"
                + "<input id=\"a\" name=\"a\" placeholder=\"your payout address\" maxlength=\"100\" autocomplete=\"off\" spellcheck=\"false\">"
                + "<button type=\"submit\">Show</button></form></header><main>";
    }

    private static String foot() {
        return "</main><footer>Numbers come from the pool's ledger and are refreshed every few seconds. "
                + "JSON: <a href=\"/api/v1/openapi.json\">/api/v1</a>.</footer></body></html>";
    }

    private static String card(String id, String label, String value) {
        return "<div class=\"card\"><div class=\"label\">" + h(label) + "</div><div class=\"value\" id=\"" + id + "\">" + h(value)
                + "</div></div>";
    }

    String home(PoolSnapshot s, long nowMs) {
        StringBuilder b = new StringBuilder(16_384);
        b.append(head("Pool"));
        b.append("<h1>").append(h(cfg.pool().name())).append("</h1><section class=\"cards\">")
                .append(card("pool-hashrate-10m", "Hashrate 10 min", Fmt.hashrate(s.hashrate().h10m())))
                .append(card("pool-hashrate-1h", "Hashrate 1 h", Fmt.hashrate(s.hashrate().h1h())))
                .append(card("pool-hashrate-24h", "Hashrate 24 h", Fmt.hashrate(s.hashrate().h24h())))
                .append(card("pool-miners", "Miners online", Integer.toString(s.minersOnline())))
                .append(card("pool-workers", "Workers online", Integer.toString(s.workersOnline())))
                .append(card("pool-blocks", "Blocks found", Long.toString(s.blocksFound())))
                .append("</section>");
        b.append(Fmt.chart(s.chart(), "Pool hashrate"));
        b.append("<h2>Recent blocks</h2>").append(blockTable(s.recentBlocks(), nowMs, "recent-blocks"));
        b.append("<p><a href=\"/blocks\">All blocks</a></p>");
        b.append(pplns(s.pplns(), nowMs));
        b.append(connect());
        b.append(foot());
        return b.toString();
    }

    private String pplns(PplnsWindow w, long nowMs) {
        StringBuilder b = new StringBuilder();
        b.append("<h2 id=\"payouts\">How you are paid: PPLNS</h2><p>When the pool finds a block, its reward minus the pool fee of ")
                .append(h(Fmt.percent(w.feePpm() / 1e6))).append(" is shared among the last N shares (pay per last N shares): the ")
                .append("window is ").append(h(Fmt.number(w.windowMultiple())))
                .append(" x the network difficulty of accepted work, counted back from the moment the block was found. ")
                .append("Your part is your work in that window over all work in it. Credits become payable when the block ")
                .append("has matured; balances of at least ").append(h(Fmt.sats(cfg.pool().payoutThresholdSats())))
                .append(" are paid over Lightning to the destination you set (see your address page).</p>");
        b.append("<dl class=\"facts\" id=\"pplns\"><dt>Parameters</dt><dd>").append(h(w.paramsSource())).append("</dd>");
        if (w.targetWork() == null) {
            b.append("<dt>Live window</dt><dd>no block found yet: the window size follows the network difficulty of the first block</dd>");
        } else {
            b.append("<dt>Window size</dt><dd>").append(h(Fmt.number(w.targetWork()))).append(" difficulty (network difficulty ")
                    .append(h(Fmt.number(w.networkDifficulty()))).append(")</dd><dt>Work in the window now</dt><dd>")
                    .append(h(Fmt.number(w.workInWindow()))).append(w.full() ? " (full)" : " (not full yet: every share so far counts)")
                    .append("</dd>");
            if (w.windowStartMs() != null) {
                b.append("<dt>Window reaches back to</dt><dd>").append(h(Fmt.time(w.windowStartMs()))).append(" (")
                        .append(h(Fmt.ago(w.windowStartMs(), nowMs))).append(")</dd>");
            }
        }
        return b.append("</dl>").toString();
    }

    private String connect() {
        WebConfig.PoolInfo p = cfg.pool();
        StringBuilder b = new StringBuilder("<h2 id=\"connect\">How to connect</h2><dl class=\"facts\">");
        if (!p.sv2Url().isBlank()) {
            b.append("<dt>Stratum V2</dt><dd><code>").append(h(p.sv2Url())).append("</code></dd>");
        }
        if (!p.authorityKey().isBlank()) {
            b.append("<dt>SV2 authority key</dt><dd><code class=\"wrap\">").append(h(p.authorityKey()))
                    .append("</code> (pin it in your SV2 firmware or proxy)</dd>");
        }
        if (!p.sv1Url().isBlank()) {
            b.append("<dt>Stratum V1</dt><dd><code>").append(h(p.sv1Url())).append("</code> (through the pool's SV2 translator)</dd>");
        }
        b.append("<dt>User</dt><dd><code>&lt;your ").append(h(cfg.network().name().toLowerCase(java.util.Locale.ROOT)))
                .append(" payout address&gt;.&lt;worker name&gt;</code>, e.g. <code>bc1q...xyz.rig01</code>; any password</dd>");
        if (!p.minDifficulty().isBlank()) {
            b.append("<dt>Minimum difficulty</dt><dd>").append(h(p.minDifficulty())).append("</dd>");
        }
        b.append("<dt>Lightning payouts</dt><dd>Open your address page and follow \"Payout destination\": you sign one ")
                .append("message with the key of your payout address, and the pool pays your balance to a Lightning address, ")
                .append("a node (keysend) or an invoice.</dd></dl>");
        return b.toString();
    }

    private String blockTable(List<Block> blocks, long nowMs, String id) {
        if (blocks.isEmpty()) {
            return "<p id=\"" + id + "\" class=\"muted\">No block found yet.</p>";
        }
        StringBuilder b = new StringBuilder("<div class=\"scroll\"><table id=\"" + id + "\"><thead><tr><th>Height</th><th>Found</th>"
                + "<th class=\"num\">Reward</th><th>Status</th><th>Block</th></tr></thead><tbody>");
        for (Block k : blocks) {
            String link = cfg.blockLink(k.hash(), k.height());
            String shortHash = k.hash().length() > 20 ? k.hash().substring(0, 8) + "…" + k.hash().substring(k.hash().length() - 8) : k.hash();
            b.append("<tr><td class=\"height\">").append(k.height()).append("</td><td title=\"").append(h(Fmt.time(k.foundAtMs())))
                    .append("\">").append(h(Fmt.ago(k.foundAtMs(), nowMs))).append("</td><td class=\"num\">")
                    .append(h(Fmt.sats(k.rewardSats()))).append("</td><td><span class=\"state ").append(h(k.state())).append("\">")
                    .append(h(k.state())).append("</span></td><td><code title=\"").append(h(k.hash())).append("\">");
            if (link != null) {
                b.append("<a rel=\"noopener noreferrer\" href=\"").append(h(link)).append("\">").append(h(shortHash)).append("</a>");
            } else {
                b.append(h(shortHash));
            }
            b.append("</code></td></tr>");
        }
        return b.append("</tbody></table></div>").toString();
    }

    String blocks(Page<Block> page, long nowMs) {
        StringBuilder b = new StringBuilder(head("Blocks"));
        b.append("<h1>Blocks found</h1>").append(blockTable(page.items(), nowMs, "blocks"));
        if (page.next() != null) {
            b.append("<p><a rel=\"next\" href=\"/blocks?cursor=").append(h(Fmt.q(page.next()))).append("\">Older blocks</a></p>");
        }
        return b.append(foot()).toString();
    }

    String address(AddressSummary a, List<Worker> workers, Page<Payout> payouts, Challenge challenge, long nowMs) {
        StringBuilder b = new StringBuilder(16_384);
        b.append(head("Miner " + a.address()));
        b.append("<h1>Miner</h1><p><code class=\"wrap\" id=\"address\">").append(h(a.address())).append("</code></p>");
        String balance = a.balance() == null ? "0 sats" : Fmt.msatAsSats(a.balance().balanceMsat());
        b.append("<section class=\"cards\">")
                .append(card("hashrate-10m", "Hashrate 10 min", Fmt.hashrate(a.hashrate().h10m())))
                .append(card("hashrate-1h", "Hashrate 1 h", Fmt.hashrate(a.hashrate().h1h())))
                .append(card("hashrate-24h", "Hashrate 24 h", Fmt.hashrate(a.hashrate().h24h())))
                .append(card("workers-online", "Workers online", a.workersOnline() + " / " + a.workersSeen()))
                .append(card("shares-24h", "Shares 24 h accepted / rejected",
                        String.format(java.util.Locale.ROOT, "%,d / %,d", a.shares24h().accepted(), a.shares24h().rejected())))
                .append(card("best-share", "Best share 24 h", Fmt.difficulty(a.shares24h().bestShareDifficulty())))
                .append(card("balance", "Balance owed", balance))
                .append(card("pplns-share", "Share of the PPLNS window", Fmt.percent(a.pplnsShare())))
                .append(card("next-reward", "Estimated next reward",
                        a.estimatedNextRewardSats() == null ? "no block yet" : Fmt.sats(a.estimatedNextRewardSats())))
                .append("</section>");
        if (!a.shares24h().rejectedByReason().isEmpty()) {
            b.append("<p id=\"reject-reasons\" class=\"muted\">Rejected in 24 h: ").append(h(Fmt.reasons(a.shares24h().rejectedByReason())))
                    .append("</p>");
        }
        b.append(Fmt.chart(a.chart(), "Your hashrate"));
        b.append("<h2>Workers</h2>");
        if (workers.isEmpty()) {
            b.append("<p id=\"workers\" class=\"muted\">No shares in the last 24 h.</p>");
        } else {
            b.append("<div class=\"scroll\"><table id=\"workers\"><thead><tr><th>Worker</th><th>Status</th><th class=\"num\">10 min</th>"
                    + "<th class=\"num\">1 h</th><th class=\"num\">Accepted 24 h</th><th class=\"num\">Rejected 24 h</th>"
                    + "<th class=\"num\">Best share</th><th>Last share</th></tr></thead><tbody>");
            for (Worker w : workers) {
                b.append("<tr><td>").append(h(w.name().isEmpty() ? "(default)" : w.name())).append("</td><td><span class=\"state ")
                        .append(w.online() ? "online" : "offline").append("\">").append(w.online() ? "online" : "offline")
                        .append("</span></td><td class=\"num\">").append(h(Fmt.hashrate(w.hashrate10mHps()))).append("</td><td class=\"num\">")
                        .append(h(Fmt.hashrate(w.hashrate1hHps()))).append("</td><td class=\"num\">")
                        .append(String.format(java.util.Locale.ROOT, "%,d", w.shares24h())).append("</td><td class=\"num\">")
                        .append(String.format(java.util.Locale.ROOT, "%,d", w.rejected24h()));
                if (!w.rejectedByReason().isEmpty()) {
                    b.append("<br><small class=\"muted\">").append(h(Fmt.reasons(w.rejectedByReason()))).append("</small>");
                }
                b.append("</td><td class=\"num\">").append(h(Fmt.difficulty(w.bestShareDifficulty()))).append("</td>");
                if (w.lastShareMs() == null) {
                    b.append("<td>none in 24 h</td></tr>");
                } else {
                    b.append("<td title=\"").append(h(Fmt.time(w.lastShareMs()))).append("\">").append(h(Fmt.ago(w.lastShareMs(), nowMs)))
                            .append("</td></tr>");
                }
            }
            b.append("</tbody></table></div>");
            if (workers.size() >= LedgerView.MAX_WORKERS) {
                b.append("<p class=\"muted\">The first ").append(LedgerView.MAX_WORKERS)
                        .append(" workers by name; the API pages through all of them.</p>");
            }
        }
        b.append("<h2>Payouts</h2>");
        if (payouts.items().isEmpty()) {
            b.append("<p id=\"payout-list\" class=\"muted\">No payout yet.</p>");
        } else {
            b.append("<div class=\"scroll\"><table id=\"payout-list\"><thead><tr><th>Time</th><th class=\"num\">Amount</th><th>Status</th>"
                    + "<th>To</th><th>Proof (payment hash / preimage)</th></tr></thead><tbody>");
            for (Payout p : payouts.items()) {
                b.append("<tr><td>").append(h(Fmt.time(p.settledAtMs() != null ? p.settledAtMs() : p.createdAtMs())))
                        .append("</td><td class=\"num\">").append(h(Fmt.msatAsSats(p.amountMsat()))).append("</td><td>")
                        .append(h(p.status())).append(p.dryRun() ? " (dry run)" : "").append("</td><td>").append(h(p.destinationKind()))
                        .append("</td><td><code class=\"wrap\">").append(h(p.paymentHash())).append("</code>");
                if (p.preimage() != null) {
                    b.append("<br><code class=\"wrap\">").append(h(p.preimage())).append("</code>");
                }
                b.append("</td></tr>");
            }
            b.append("</tbody></table></div>");
            if (payouts.next() != null) {
                b.append("<p><a rel=\"next\" href=\"/address/").append(h(a.address())).append("?payouts=").append(h(Fmt.q(payouts.next())))
                        .append("#payout-list\">Older payouts</a></p>");
            }
        }
        if (!a.blocksFound().isEmpty()) {
            b.append("<h2>Blocks you found</h2>").append(blockTable(a.blocksFound(), nowMs, "my-blocks"));
        }
        b.append(destination(a, challenge));
        return b.append(foot()).toString();
    }

    /** The exact message to sign for a destination (timestamp = now), or null when none was asked for. */
    record Challenge(String kind, String destination, long timestampS, String message) {
        static Challenge of(String address, String kind, String destination, long nowMs) {
            DestinationKind k;
            try {
                k = DestinationKind.parse(kind);
            } catch (IllegalArgumentException e) {
                throw new LedgerView.BadRequest("kind must be lightning_address, keysend or bolt11");
            }
            String d = destination.strip();
            if (d.isEmpty() || d.length() > 2000 || !d.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new LedgerView.BadRequest("destination must be 1..2000 printable characters without spaces");
            }
            long ts = nowMs / 1000;
            return new Challenge(k.dbName(), d, ts, AddressProof.challenge(address, k.dbName(), d, ts));
        }
    }

    private String destination(AddressSummary a, Challenge c) {
        StringBuilder b = new StringBuilder("<h2 id=\"destination\">Payout destination</h2>");
        if (a.destination() == null) {
            b.append("<p id=\"destination-now\">None set: your balance stays owed until you set one.</p>");
        } else {
            b.append("<p id=\"destination-now\">").append(h(a.destination().kind())).append(": <code class=\"wrap\">")
                    .append(h(a.destination().destination())).append("</code>, proved ")
                    .append(h(Fmt.time(a.destination().provedAtS() * 1000))).append("</p>");
        }
        b.append("<p>To set or change it, sign a message with the key of this address (Bitcoin Core <code>signmessage</code>, ")
                .append("Electrum, Sparrow or a hardware wallet; P2PKH, P2SH-P2WPKH and P2WPKH addresses) and give the message, ")
                .append("its timestamp and the base64 signature to the pool operator, who runs <code>hh treasury set-destination</code>. ")
                .append("The treasury checks the signature and that the timestamp is recent. Get the exact message here:</p>")
                .append("<form method=\"get\" action=\"/address/").append(h(a.address())).append("#destination\" class=\"challenge\">")
                .append("<label>Kind <select name=\"kind\">");
        for (String k : List.of("lightning_address", "keysend", "bolt11")) {
            b.append("<option value=\"").append(k).append("\"").append(c != null && c.kind().equals(k) ? " selected" : "").append(">")
                    .append(k).append("</option>");
        }
        b.append("</select></label> <label>Destination <input name=\"destination\" maxlength=\"2000\" placeholder=\"you@wallet.example\" value=\"")
                .append(c == null ? "" : h(c.destination())).append("\"></label> <button type=\"submit\">Make the message</button></form>");
        if (c != null) {
            b.append("<p>Sign exactly these five lines (valid for a few minutes):</p><pre id=\"challenge\">").append(h(c.message()))
                    .append("</pre><p>Then the operator runs:</p><pre class=\"wrap\">hh treasury set-destination --address ")
                    .append(h(a.address())).append(" --kind ").append(h(c.kind())).append(" --destination '").append(h(c.destination()))
                    .append("' --timestamp ").append(c.timestampS()).append(" --signature '&lt;base64 signature&gt;'</pre>");
        }
        return b.toString();
    }

    String error(int status, String message) {
        return head("Error " + status) + "<h1>" + status + "</h1><p id=\"error\">" + h(message) + "</p><p><a href=\"/\">Pool home</a></p>"
                + foot();
    }
}
