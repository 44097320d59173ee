package org.hyperhash.pool.identity;

import java.util.Objects;
import org.hyperhash.base.Bytes;

/**
 * Who a channel's shares are credited to, parsed from OpenMiningChannel.user_identity.
 *
 * @param address the bitcoin address credited (pooled) or paid directly (solo)
 * @param worker worker name ("" when none)
 * @param solo true: the coinbase pays {@code scriptPubKey} instead of the pool
 * @param scriptPubKey output script of {@code address}
 */
public record MinerIdentity(String address, String worker, boolean solo, Bytes scriptPubKey) {
    public MinerIdentity {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(scriptPubKey, "scriptPubKey");
    }
}
