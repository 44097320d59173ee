package org.hyperhash.daemon;

/** A long-running service started by an {@code hh} subcommand. */
public interface Daemon extends HealthSource, AutoCloseable {
    /** Binds listeners and starts work; returns when the daemon is serving. */
    void start() throws Exception;

    /** Graceful stop: stop accepting, drain/flush, close. Idempotent. */
    @Override
    void close();
}
