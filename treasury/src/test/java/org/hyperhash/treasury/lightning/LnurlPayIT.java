package org.hyperhash.treasury.lightning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import org.bitcoinj.crypto.ECKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LNURL-pay against a local HTTP server: the exact amount and description hash are enforced. */
class LnurlPayIT {
    static final String METADATA = "[[\"text/plain\",\"hyperhash payout\"]]";
    HttpServer server;
    final ECKey node = new ECKey();
    final AtomicReference<LongFunction<String>> invoiceFor = new AtomicReference<>();
    final AtomicReference<String> firstBody = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/.well-known/lnurlp/alice", ex -> {
            byte[] b = firstBody.get().replace("PORT", Integer.toString(server.getAddress().getPort())).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/cb", ex -> {
            long amount = Long.parseLong(ex.getRequestURI().getQuery().replace("amount=", ""));
            byte[] b = ("{\"pr\":\"" + invoiceFor.get().apply(amount) + "\",\"routes\":[]}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        firstBody.set("{\"tag\":\"payRequest\",\"callback\":\"http://127.0.0.1:PORT/cb\",\"minSendable\":1000,\"maxSendable\":100000000000,"
                + "\"metadata\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(METADATA) + "}");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String addr() {
        return "alice@127.0.0.1:" + server.getAddress().getPort();
    }

    String invoice(long msat, String metadata, String network) {
        byte[] hash = new byte[32];
        new java.security.SecureRandom().nextBytes(hash);
        return Bolt11Invoice.encode(network, OptionalLong.of(msat), System.currentTimeMillis() / 1000, hash, null,
                Bolt11Invoice.sha256(metadata.getBytes(StandardCharsets.UTF_8)), 600, node);
    }

    @Test
    void fetchesExactAmountAndRejectsMismatches() throws Exception {
        LnurlPay lnurl = new LnurlPay(Duration.ofSeconds(5), true);
        long now = System.currentTimeMillis() / 1000;
        invoiceFor.set(a -> invoice(a, METADATA, "bcrt"));
        Bolt11Invoice ok = lnurl.fetchInvoice(addr(), 2_000_000, "bcrt", now);
        assertEquals(2_000_000, ok.amountMsat().getAsLong());
        assertEquals(HexFormat.of().formatHex(node.getPubKey()), ok.payeePubkeyHex());

        invoiceFor.set(a -> invoice(a + 1000, METADATA, "bcrt"));
        assertMsg("!= requested", () -> lnurl.fetchInvoice(addr(), 2_000_000, "bcrt", now));
        invoiceFor.set(a -> invoice(a, "[[\"text/plain\",\"other\"]]", "bcrt"));
        assertMsg("description hash", () -> lnurl.fetchInvoice(addr(), 2_000_000, "bcrt", now));
        invoiceFor.set(a -> invoice(a, METADATA, "bc"));
        assertMsg("network", () -> lnurl.fetchInvoice(addr(), 2_000_000, "bcrt", now));
        invoiceFor.set(a -> "lnbcrt1garbage");
        assertMsg("invalid BOLT11", () -> lnurl.fetchInvoice(addr(), 2_000_000, "bcrt", now));
        invoiceFor.set(a -> invoice(a, METADATA, "bcrt"));
        assertMsg("outside", () -> lnurl.fetchInvoice(addr(), 500, "bcrt", now));
        assertMsg("> 0", () -> lnurl.fetchInvoice(addr(), -5, "bcrt", now));
        assertMsg("user@domain", () -> lnurl.fetchInvoice("not-an-address", 2_000_000, "bcrt", now));
        assertMsg("HTTP 404", () -> lnurl.fetchInvoice("bob@127.0.0.1:" + server.getAddress().getPort(), 2_000_000, "bcrt", now));
        assertMsg("LNURL request failed", () -> new LnurlPay(Duration.ofSeconds(2), false).fetchInvoice(addr(), 2_000_000, "bcrt", now));
        firstBody.set("{\"status\":\"ERROR\",\"reason\":\"no such user\"}");
        assertMsg("no such user", () -> lnurl.fetchInvoice(addr(), 2_000_000, "bcrt", now));
    }

    static void assertMsg(String part, org.junit.jupiter.api.function.Executable e) {
        LnurlPay.LnurlException ex = assertThrows(LnurlPay.LnurlException.class, e);
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }
}
