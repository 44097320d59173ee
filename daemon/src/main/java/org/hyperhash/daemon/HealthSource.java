package org.hyperhash.daemon;

import java.util.Map;

/** What the admin HTTP surface asks a daemon. */
public interface HealthSource {
    /** /v1/health: the process is alive and its event loops answer. */
    default boolean live() {
        return true;
    }

    /** /v1/ready: dependencies are up (node synced, TP connected, DB reachable ...). */
    boolean ready();

    /** /v1/readiness details: name -> ok, shown in the /v1/ready body. */
    default Map<String, Boolean> readinessChecks() {
        return Map.of("ready", ready());
    }

    /** /v1/status JSON: listening addresses, authority key, versions, counters. */
    Map<String, Object> status();
}
