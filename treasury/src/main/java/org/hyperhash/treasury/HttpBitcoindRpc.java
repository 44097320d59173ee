package org.hyperhash.treasury;

import com.fasterxml.jackson.databind.JsonNode;
import org.hyperhash.bitcoind.rpc.JsonRpcClient;
import org.hyperhash.bitcoind.rpc.RpcAuth;
import org.hyperhash.bitcoind.rpc.RpcEndpoint;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The treasury's slice of bitcoind's RPC over the shared {@link JsonRpcClient} (module bitcoind-rpc: cookie file
 * re-read after a 401 as bitcoind rewrites it on restart, or rpcuser/rpcpassword; timeouts; retries of transient
 * failures; Core's error codes). Credentials never appear in errors.
 */
public final class HttpBitcoindRpc implements BitcoindRpc {
    private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");
    /** Core's RPC_INVALID_ADDRESS_OR_KEY: getblockheader of a block it does not know. */
    private static final int BLOCK_NOT_FOUND = -5;

    private final JsonRpcClient client;

    /** {@code cookieFile} or {@code user}/{@code password} (cookie wins when set); null client: none configured. */
    public HttpBitcoindRpc(URI uri, Path cookieFile, String user, String password, Duration timeout) {
        RpcAuth auth = cookieFile != null ? new RpcAuth.Cookie(cookieFile)
                : user == null || user.isEmpty() ? null : new RpcAuth.UserPassword(user, password == null ? "" : password);
        // one attempt plus one retry of a transient failure: maturity checks run every tick and can wait for the next
        this.client = auth == null ? null : new JsonRpcClient(new RpcEndpoint(uri, auth, timeout, timeout, timeout, 1,
                Duration.ofMillis(250), Duration.ofSeconds(1)), null);
    }

    @Override
    public Optional<BlockHeaderInfo> getBlockHeader(String blockHashHex) throws RpcException {
        if (blockHashHex == null || !HASH.matcher(blockHashHex).matches()) {
            throw new RpcException("block hash must be 64 hex characters");
        }
        if (client == null) {
            throw new RpcException("bitcoind credentials not configured (set bitcoind.cookie-file or bitcoind.user/password)");
        }
        JsonNode r;
        try {
            r = client.call("getblockheader", List.of(blockHashHex, true));
        } catch (org.hyperhash.bitcoind.rpc.RpcException e) {
            if (e.code() == BLOCK_NOT_FOUND) {
                return Optional.empty();
            }
            throw new RpcException("bitcoind " + e.getMessage() + " (" + e.kind().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        if (r == null || !r.has("confirmations") || !r.has("height")) {
            throw new RpcException("bitcoind getblockheader: result lacks confirmations/height");
        }
        return Optional.of(new BlockHeaderInfo(r.path("hash").asText(blockHashHex), r.get("height").asLong(), r.get("confirmations").asLong()));
    }
}
