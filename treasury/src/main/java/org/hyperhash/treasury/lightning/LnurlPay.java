package org.hyperhash.treasury.lightning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Lightning Address / LNURL-pay (LUD-16 / LUD-06): fetches an invoice for an exact amount and checks that the
 * invoice is for that amount, carries the SHA-256 of the metadata as its description hash, is for our network and
 * not expired. Anything else is an {@link LnurlException}; nothing is paid.
 */
public final class LnurlPay {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern USER = Pattern.compile("[a-z0-9._+-]{1,64}");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9.-]{1,253}(:[0-9]{1,5})?");
    private static final int MAX_BODY = 64 * 1024;

    private final HttpClient http;
    private final Duration timeout;
    private final boolean allowInsecureHttp;

    /** A Lightning Address that cannot be paid, with the reason. */
    public static final class LnurlException extends Exception {
        public LnurlException(String message) {
            super(message);
        }
    }

    /** @param allowInsecureHttp dev/test only: use http:// (e.g. a local test server) */
    public LnurlPay(Duration timeout, boolean allowInsecureHttp) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
        this.allowInsecureHttp = allowInsecureHttp;
    }

    /** Validates the syntax of a Lightning Address ({@code user@domain}); returns it lower-cased. */
    public static String checkAddress(String address) {
        if (address == null) {
            throw new IllegalArgumentException("lightning address missing");
        }
        String a = address.strip().toLowerCase(java.util.Locale.ROOT);
        int at = a.indexOf('@');
        if (at <= 0 || at != a.lastIndexOf('@') || !USER.matcher(a.substring(0, at)).matches()
                || !DOMAIN.matcher(a.substring(at + 1)).matches()) {
            throw new IllegalArgumentException("lightning address must look like user@domain, got '" + address + "'");
        }
        return a;
    }

    /** Fetches and verifies an invoice for exactly {@code amountMsat}. */
    public Bolt11Invoice fetchInvoice(String lightningAddress, long amountMsat, String network, long nowSeconds) throws LnurlException {
        String a;
        try {
            a = checkAddress(lightningAddress);
        } catch (IllegalArgumentException e) {
            throw new LnurlException(e.getMessage());
        }
        if (amountMsat <= 0) {
            throw new LnurlException("amount must be > 0 msat");
        }
        int at = a.indexOf('@');
        String scheme = allowInsecureHttp ? "http" : "https";
        URI first = URI.create(scheme + "://" + a.substring(at + 1) + "/.well-known/lnurlp/" + a.substring(0, at));
        JsonNode params = get(first, a);
        if (!"payRequest".equals(params.path("tag").asText())) {
            throw new LnurlException(a + ": LNURL tag is '" + params.path("tag").asText() + "', expected payRequest");
        }
        long min = params.path("minSendable").asLong(-1);
        long max = params.path("maxSendable").asLong(-1);
        String metadata = params.path("metadata").asText(null);
        String callback = params.path("callback").asText(null);
        if (min <= 0 || max < min || metadata == null || callback == null) {
            throw new LnurlException(a + ": payRequest lacks minSendable/maxSendable/metadata/callback");
        }
        if (amountMsat < min || amountMsat > max) {
            throw new LnurlException(a + ": amount " + amountMsat + " msat outside [" + min + ", " + max + "]");
        }
        URI cb;
        try {
            cb = URI.create(callback);
        } catch (IllegalArgumentException e) {
            throw new LnurlException(a + ": callback is not a URL");
        }
        if (!"https".equals(cb.getScheme()) && !(allowInsecureHttp && "http".equals(cb.getScheme()))) {
            throw new LnurlException(a + ": callback must be https");
        }
        String sep = callback.contains("?") ? "&" : "?";
        JsonNode inv = get(URI.create(callback + sep + "amount=" + URLEncoder.encode(Long.toString(amountMsat), StandardCharsets.UTF_8)), a);
        String pr = inv.path("pr").asText(null);
        if (pr == null) {
            throw new LnurlException(a + ": callback returned no invoice (pr)");
        }
        Bolt11Invoice invoice;
        try {
            invoice = Bolt11Invoice.decode(pr);
        } catch (IllegalArgumentException e) {
            throw new LnurlException(a + ": " + e.getMessage());
        }
        if (!invoice.network().equals(network)) {
            throw new LnurlException(a + ": invoice is for network '" + invoice.network() + "', we pay on '" + network + "'");
        }
        if (invoice.amountMsat().isEmpty() || invoice.amountMsat().getAsLong() != amountMsat) {
            throw new LnurlException(a + ": invoice amount " + (invoice.amountMsat().isEmpty() ? "missing" : invoice.amountMsat().getAsLong() + " msat")
                    + " != requested " + amountMsat + " msat");
        }
        String expectedHash = HexFormat.of().formatHex(Bolt11Invoice.sha256(metadata.getBytes(StandardCharsets.UTF_8)));
        if (!expectedHash.equals(invoice.descriptionHashHex())) {
            throw new LnurlException(a + ": invoice description hash does not match the LNURL metadata");
        }
        if (invoice.expiredAt(nowSeconds)) {
            throw new LnurlException(a + ": invoice already expired");
        }
        return invoice;
    }

    private JsonNode get(URI uri, String who) throws LnurlException {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                throw new LnurlException(who + ": LNURL response larger than " + MAX_BODY + " bytes");
            }
            if (r.statusCode() != 200) {
                throw new LnurlException(who + ": LNURL server answered HTTP " + r.statusCode());
            }
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new LnurlException(who + ": LNURL response is not a JSON object");
            }
            if ("ERROR".equalsIgnoreCase(n.path("status").asText())) {
                String reason = n.path("reason").asText("");
                throw new LnurlException(who + ": LNURL error: " + reason.substring(0, Math.min(200, reason.length())));
            }
            return n;
        } catch (IOException e) {
            throw new LnurlException(who + ": LNURL request failed: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LnurlException(who + ": interrupted");
        }
    }
}
