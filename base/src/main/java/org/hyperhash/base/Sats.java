package org.hyperhash.base;

/**
 * An amount of satoshis, 0..{@link #MAX_MONEY_SATS} (21 million BTC). Arithmetic is checked.
 *
 * @param value satoshis
 */
public record Sats(long value) implements Comparable<Sats> {
    public static final long MAX_MONEY_SATS = 21_000_000L * 100_000_000L;
    public static final Sats ZERO = new Sats(0);

    public Sats {
        if (value < 0 || value > MAX_MONEY_SATS) {
            throw new IllegalArgumentException("sats out of range 0.." + MAX_MONEY_SATS + ": " + value);
        }
    }

    public static Sats of(long sats) {
        return new Sats(sats);
    }

    public Sats plus(Sats o) {
        return new Sats(Math.addExact(value, o.value));
    }

    public Sats minus(Sats o) {
        return new Sats(Math.subtractExact(value, o.value));
    }

    @Override
    public int compareTo(Sats o) {
        return Long.compare(value, o.value);
    }

    @Override
    public String toString() {
        return value + " sat";
    }
}
