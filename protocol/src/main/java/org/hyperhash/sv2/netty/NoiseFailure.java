package org.hyperhash.sv2.netty;

import java.util.Objects;

/**
 * A Noise handshake or transport failure as {@link NoiseHandler} sees it, already classified for
 * {@link Sv2ErrorEvent}. The adapter from {@code org.hyperhash.sv2.noise} maps each
 * {@code NoiseException.Reason} to a {@link Sv2ErrorEvent.Kind}. Carries no stack trace and never key
 * material.
 */
public final class NoiseFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final Sv2ErrorEvent.Kind kind;

    public NoiseFailure(Sv2ErrorEvent.Kind kind, String detail) {
        super(detail, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Sv2ErrorEvent.Kind kind() {
        return kind;
    }
}
