package org.hyperhash.bitcoind.rpc;

/**
 * A typed failure of a node RPC call. {@link #kind()} is what callers branch on and what metrics
 * count; the message never contains credentials.
 */
public final class RpcException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, coarse enough to act on. */
    public enum Kind {
        /** Connection refused, DNS failure, reset: the node is not reachable. Retried. */
        UNREACHABLE(true),
        /** No answer within the request timeout. Retried. */
        TIMEOUT(true),
        /** HTTP 401: wrong user/password or stale cookie. Not retried (after one cookie re-read). */
        UNAUTHORIZED(false),
        /** RPC error -28: the node is starting (loading block index, verifying blocks...). Retried. */
        WARMING_UP(true),
        /** RPC error -10: initial block download, no templates yet. */
        IN_INITIAL_BLOCK_DOWNLOAD(false),
        /** The node runs a different chain than configured. */
        WRONG_CHAIN(false),
        /** Any other JSON-RPC error object (see {@link #code()}). */
        RPC_ERROR(false),
        /** A non-JSON or malformed response (proxy error page, truncated body, missing field). */
        BAD_RESPONSE(false);

        private final boolean transientFailure;

        Kind(boolean transientFailure) {
            this.transientFailure = transientFailure;
        }

        /** Whether a retry with backoff may succeed. */
        public boolean isTransient() {
            return transientFailure;
        }
    }

    private final Kind kind;
    private final String method;
    private final int code;

    public RpcException(Kind kind, String method, int code, String message) {
        super(method + ": " + message);
        this.kind = kind;
        this.method = method;
        this.code = code;
    }

    public RpcException(Kind kind, String method, int code, String message, Throwable cause) {
        super(method + ": " + message, cause);
        this.kind = kind;
        this.method = method;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    /** The RPC method that failed (bounded set: usable as a metric label). */
    public String method() {
        return method;
    }

    /** The JSON-RPC error code, 0 when the failure was not a JSON-RPC error object. */
    public int code() {
        return code;
    }

    /** Maps a Bitcoin Core JSON-RPC error code to a kind. */
    public static Kind kindOfCode(int code) {
        return switch (code) {
            case -28 -> Kind.WARMING_UP;
            case -10 -> Kind.IN_INITIAL_BLOCK_DOWNLOAD;
            default -> Kind.RPC_ERROR;
        };
    }
}
