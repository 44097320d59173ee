package org.hyperhash.agent.systemd;

import java.io.IOException;
import java.util.List;

/** The part of systemd the agent uses. Unit names are validated by the caller ({@link #UNIT_NAME}). */
public interface Systemctl {
    /** What the agent accepts as a unit name (config, manifests, systemd's own answers). */
    String UNIT_NAME = "[A-Za-z0-9@._-]{1,128}";

    /** {@code systemctl restart <unit>}; throws when systemctl reports failure. */
    void restart(String unit) throws IOException;

    /** {@code systemctl stop <unit>} (before a ledger restore); throws when systemctl reports failure. */
    void stop(String unit) throws IOException;

    /**
     * The units that start {@code unit} on demand ({@code TriggeredBy}: its socket unit when the service is socket
     * activated, e.g. hh-pool.socket). Stopping only the service leaves them listening, and the next client
     * connection starts it again, so whatever must keep a service down (a ledger restore) stops these first.
     */
    List<String> triggeredBy(String unit);

    /** The unit's ActiveState ({@code active}, {@code failed}, {@code inactive}, {@code activating}, ...; "unknown" if it cannot be read). */
    String activeState(String unit);
}
