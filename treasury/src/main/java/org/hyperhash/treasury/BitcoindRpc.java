package org.hyperhash.treasury;

import java.util.Optional;

/** The slice of bitcoind's RPC the treasury needs (block maturity). */
public interface BitcoindRpc {
    /**
     * {@code getblockheader <hash>}: empty when bitcoind does not know the block; confirmations is -1 when the
     * block is not on the main chain (orphaned/stale).
     */
    Optional<BlockHeaderInfo> getBlockHeader(String blockHashHex) throws RpcException;

    /** A block header as seen by bitcoind. */
    record BlockHeaderInfo(String hash, long height, long confirmations) {
    }

    /** bitcoind unreachable, auth failure or an unexpected answer. */
    final class RpcException extends Exception {
        public RpcException(String message) {
            super(message);
        }

        public RpcException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
