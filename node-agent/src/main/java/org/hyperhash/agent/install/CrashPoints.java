package org.hyperhash.agent.install;

/**
 * Named points of the install sequence where tests inject a crash (by throwing) to prove the next start
 * repairs the state. Production uses {@link #NONE}.
 */
@FunctionalInterface
public interface CrashPoints {
    /** Artifacts downloaded and verified, nothing on disk changed yet. */
    String DOWNLOADED = "downloaded";
    /** Journal says STAGING, staging directory partly written. */
    String STAGING = "staging";
    /** Release directory complete, {@code current} not switched. */
    String STAGED = "staged";
    /** {@code current} switched, units not restarted. */
    String SWITCHED = "switched";
    /** Units restarted, health not yet checked. */
    String RESTARTED = "restarted";
    /** Health check passed, not committed. */
    String HEALTHY = "healthy";
    /** Committed, old releases not yet pruned. */
    String COMMITTED = "committed";
    /** Rolling back: {@code current} switched back, units not restarted. */
    String ROLLBACK_SWITCHED = "rollback-switched";

    /** Every point in sequence order (for tests that crash at each). */
    java.util.List<String> ALL = java.util.List.of(DOWNLOADED, STAGING, STAGED, SWITCHED, RESTARTED, HEALTHY, COMMITTED,
            ROLLBACK_SWITCHED);

    CrashPoints NONE = step -> {
    };

    /** Called when the install reaches {@code step}; a test implementation throws. */
    void reach(String step);
}
