package org.hyperhash.treasury;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * bitcoind JSON-RPC over HTTP (JDK client). Credentials from the cookie file (re-read on every auth failure, as
 * bitcoind rewrites it on restart) or rpcuser/rpcpassword. Credentials never appear in errors.
 */
public final class HttpBitcoindRpc implements BitcoindRpc {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");

    private final HttpClient http;
    private final URI uri;
    private final Path cookieFile;
    private final String userPassword;
    private final Duration timeout;
    private volatile String authHeader;

    /** {@code cookieFile} or {@code user}/{@code password} (cookie wins when set). */
    public HttpBitcoindRpc(URI uri, Path cookieFile, String user, String password, Duration timeout) {
        this.uri = uri;
        this.cookieFile = cookieFile;
        this.userPassword = user == null || user.isEmpty() ? null : user + ":" + (password == null ? "" : password);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    private String auth(boolean reload) throws RpcException {
        if (authHeader != null && !reload) {
            return authHeader;
        }
        String cred;
        if (cookieFile != null) {
            try {
                cred = Files.readString(cookieFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new RpcException("cannot read bitcoind cookie file " + cookieFile + ": " + e.getClass().getSimpleName());
            }
        } else if (userPassword != null) {
            cred = userPassword;
        } else {
            throw new RpcException("bitcoind credentials not configured (set bitcoind.cookie-file or bitcoind.user/password)");
        }
        authHeader = "Basic " + Base64.getEncoder().encodeToString(cred.getBytes(StandardCharsets.UTF_8));
        return authHeader;
    }

    private JsonNode call(String method, Object... params) throws RpcException {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(Map.of("jsonrpc", "1.0", "id", "hh-treasury", "method", method, "params", params));
        } catch (IOException e) {
            throw new RpcException("cannot encode " + method, e);
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
                    .header("Authorization", auth(attempt > 0)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<byte[]> resp;
            try {
                resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new RpcException("bitcoind unreachable at " + uri.getHost() + ":" + uri.getPort() + ": " + e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RpcException("interrupted");
            }
            if (resp.statusCode() == 401 || resp.statusCode() == 403) {
                if (attempt == 0 && cookieFile != null) {
                    continue;
                }
                throw new RpcException("bitcoind rejected the RPC credentials (HTTP " + resp.statusCode() + ")");
            }
            try {
                JsonNode n = JSON.readTree(resp.body());
                if (n == null || !n.isObject()) {
                    throw new RpcException("bitcoind " + method + ": HTTP " + resp.statusCode() + " without a JSON-RPC body");
                }
                return n;
            } catch (IOException e) {
                throw new RpcException("bitcoind " + method + ": unparseable answer (HTTP " + resp.statusCode() + ")");
            }
        }
        throw new RpcException("bitcoind rejected the RPC credentials");
    }

    @Override
    public Optional<BlockHeaderInfo> getBlockHeader(String blockHashHex) throws RpcException {
        if (blockHashHex == null || !HASH.matcher(blockHashHex).matches()) {
            throw new RpcException("block hash must be 64 hex characters");
        }
        JsonNode n = call("getblockheader", blockHashHex, true);
        JsonNode err = n.get("error");
        if (err != null && !err.isNull()) {
            if (err.path("code").asInt() == -5) {
                return Optional.empty();
            }
            throw new RpcException("bitcoind getblockheader error " + err.path("code").asInt() + ": " + err.path("message").asText());
        }
        JsonNode r = n.get("result");
        if (r == null || !r.has("confirmations") || !r.has("height")) {
            throw new RpcException("bitcoind getblockheader: result lacks confirmations/height");
        }
        return Optional.of(new BlockHeaderInfo(r.path("hash").asText(blockHashHex), r.get("height").asLong(), r.get("confirmations").asLong()));
    }
}
