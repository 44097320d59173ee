package org.hyperhash.sv2.tdp;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * Failover policy over an ordered list of template providers, sans I/O. {@link #next()} picks the
 * first endpoint (in configured order) that is not cooling down; an endpoint that failed is cooled
 * down for {@code cooldown} (never banned for good: when every endpoint is cooling down, the one
 * whose cooldown ends first is tried). Consecutive failures grow the delay before the next
 * attempt exponentially from {@code initialBackoff} up to {@code maxBackoff}; a successful session
 * resets it. Not thread-safe (the client drives it from one thread).
 */
public final class EndpointSelector {
    private final List<TdpEndpoint> endpoints;
    private final InstantSource clock;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration cooldown;
    private final Instant[] coolUntil;
    private int consecutiveFailures;

    public EndpointSelector(List<TdpEndpoint> endpoints, InstantSource clock, Duration initialBackoff, Duration maxBackoff,
                            Duration cooldown) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one template provider endpoint");
        }
        this.endpoints = List.copyOf(endpoints);
        this.clock = clock;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.cooldown = cooldown;
        this.coolUntil = new Instant[endpoints.size()];
    }

    /** The endpoint to try now. */
    public TdpEndpoint next() {
        Instant now = clock.instant();
        int soonest = 0;
        for (int i = 0; i < endpoints.size(); i++) {
            if (coolUntil[i] == null || !coolUntil[i].isAfter(now)) {
                return endpoints.get(i);
            }
            if (coolUntil[i].isBefore(coolUntil[soonest])) {
                soonest = i;
            }
        }
        return endpoints.get(soonest);
    }

    /** The endpoint failed (connect, handshake, setup, or the session dropped). */
    public void failed(TdpEndpoint e) {
        int i = endpoints.indexOf(e);
        if (i >= 0) {
            coolUntil[i] = clock.instant().plus(cooldown);
        }
        consecutiveFailures++;
    }

    /** A session was established (SetupConnection.Success received). */
    public void succeeded(TdpEndpoint e) {
        int i = endpoints.indexOf(e);
        if (i >= 0) {
            coolUntil[i] = null;
        }
        consecutiveFailures = 0;
    }

    /**
     * Delay before the next attempt: zero after a success or while another endpoint is available
     * for the first time in this failure run, else exponential backoff.
     */
    public Duration delayBeforeNextAttempt() {
        if (consecutiveFailures == 0) {
            return Duration.ZERO;
        }
        if (consecutiveFailures < endpoints.size()) {
            return Duration.ZERO; // fail over to the next endpoint at once
        }
        int exp = Math.min(30, consecutiveFailures - endpoints.size());
        Duration d = initialBackoff.multipliedBy(1L << exp);
        return d.compareTo(maxBackoff) > 0 || d.isNegative() ? maxBackoff : d;
    }

    /**
     * A failed probe of a preferred endpoint while another session is up: cools the endpoint down
     * without counting towards the reconnect backoff of the active session.
     */
    public void probeFailed(TdpEndpoint e) {
        int i = endpoints.indexOf(e);
        if (i >= 0) {
            coolUntil[i] = clock.instant().plus(cooldown);
        }
    }

    /** The most preferred endpoint ranked before {@code current} that is not cooling down, or null. */
    public TdpEndpoint preferredOver(TdpEndpoint current) {
        Instant now = clock.instant();
        int limit = endpoints.indexOf(current);
        for (int i = 0; i < limit; i++) {
            if (coolUntil[i] == null || !coolUntil[i].isAfter(now)) {
                return endpoints.get(i);
            }
        }
        return null;
    }

    /**
     * How long until an endpoint ranked before {@code current} leaves its cooldown (zero when one
     * already has), or null when {@code current} is the most preferred endpoint.
     */
    public Duration untilPreferredAvailable(TdpEndpoint current) {
        int limit = endpoints.indexOf(current);
        if (limit <= 0) {
            return null;
        }
        Instant now = clock.instant();
        Duration best = null;
        for (int i = 0; i < limit; i++) {
            Duration d = coolUntil[i] == null || !coolUntil[i].isAfter(now) ? Duration.ZERO : Duration.between(now, coolUntil[i]);
            if (best == null || d.compareTo(best) < 0) {
                best = d;
            }
        }
        return best;
    }

    public List<TdpEndpoint> endpoints() {
        return endpoints;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }
}
