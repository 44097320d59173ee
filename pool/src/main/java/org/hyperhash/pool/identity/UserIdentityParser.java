package org.hyperhash.pool.identity;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.hyperhash.base.Bytes;

/**
 * Parses {@code [soloPrefix]<bitcoin address>[.<worker>]} user identities. The worker name is
 * limited to 64 characters of {@code [A-Za-z0-9_-.:@]}; everything after the first '.' is the worker.
 * Thread-safe. Valid addresses are cached (bounded, {@value #MAX_CACHED_ADDRESSES}; cleared when full): a
 * reconnect storm re-opens every channel with an address already seen, and bitcoinj's parse (base58 tried
 * first, by exception) was ~10% of the pool's CPU per reconnect.
 */
public final class UserIdentityParser {
    /** OpenMiningChannel.Error code for an unparsable identity (SRI string). */
    public static final String INVALID_USER_IDENTITY = "invalid-user-identity";
    /** Max worker name length. */
    public static final int MAX_WORKER_LENGTH = 64;

    /** Most addresses cached at once. */
    public static final int MAX_CACHED_ADDRESSES = 65_536;

    private final PoolNetwork network;
    private final String soloPrefix;
    /**
     * Parsed addresses. The value keeps the first instance of the address string too: every channel's
     * {@link MinerIdentity} then shares it instead of holding its own substring (~90 bytes per connection when one
     * address runs many workers).
     */
    private final ConcurrentHashMap<String, Parsed> scripts = new ConcurrentHashMap<>();

    private record Parsed(String address, Bytes script) {
    }

    /**
     * @param network network whose addresses are valid
     * @param soloPrefix prefix selecting solo mining ("" = solo disabled)
     */
    public UserIdentityParser(PoolNetwork network, String soloPrefix) {
        this.network = Objects.requireNonNull(network, "network");
        this.soloPrefix = soloPrefix == null ? "" : soloPrefix;
    }

    /** Thrown for an identity that cannot be credited; {@link #errorCode()} goes into OpenMiningChannel.Error. */
    public static final class InvalidIdentityException extends Exception {
        public InvalidIdentityException(String message) {
            super(message);
        }

        public String errorCode() {
            return INVALID_USER_IDENTITY;
        }
    }

    public MinerIdentity parse(String userIdentity) throws InvalidIdentityException {
        if (userIdentity == null || userIdentity.isBlank()) {
            throw new InvalidIdentityException("user_identity is empty; expected <bitcoin address>.<worker>");
        }
        String s = userIdentity.trim();
        boolean solo = false;
        if (!soloPrefix.isEmpty() && s.startsWith(soloPrefix)) {
            solo = true;
            s = s.substring(soloPrefix.length());
        }
        int dot = s.indexOf('.');
        String address = dot < 0 ? s : s.substring(0, dot);
        String worker = dot < 0 ? "" : s.substring(dot + 1);
        if (worker.length() > MAX_WORKER_LENGTH) {
            throw new InvalidIdentityException("worker name longer than " + MAX_WORKER_LENGTH + " characters");
        }
        if (!validWorker(worker)) {
            throw new InvalidIdentityException("worker name may only contain A-Z a-z 0-9 _ - . : @");
        }
        Parsed p = parsed(address);
        return new MinerIdentity(p.address(), worker, solo, p.script());
    }

    /** At most {@link #MAX_WORKER_LENGTH} characters of {@code [A-Za-z0-9_-.:@]} (empty is the default worker). */
    public static boolean validWorker(String worker) {
        if (worker.length() > MAX_WORKER_LENGTH) {
            return false;
        }
        for (int i = 0; i < worker.length(); i++) {
            char c = worker.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && "_-.:@".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private Parsed parsed(String address) throws InvalidIdentityException {
        Parsed cached = scripts.get(address);
        if (cached != null) {
            return cached;
        }
        Bytes script;
        try {
            script = network.parse(address);
        } catch (IllegalArgumentException e) {
            throw new InvalidIdentityException("user_identity address: " + e.getMessage()); // invalid: never cached
        }
        if (scripts.size() >= MAX_CACHED_ADDRESSES) {
            scripts.clear(); // bounded: a flood of distinct addresses only costs re-parsing
        }
        Parsed p = new Parsed(address, script);
        scripts.put(address, p);
        return p;
    }

    /** Addresses currently cached (for tests and diagnostics). */
    public int cachedAddresses() {
        return scripts.size();
    }
}
