package org.hyperhash.agent.systemd;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * An in-memory systemctl for tests and demos: records every call, keeps unit states, and runs an optional
 * hook on restart (a test service can re-read the {@code current} release there, like a real restart would).
 */
public final class FakeSystemctl implements Systemctl {
    private final Map<String, String> states = new ConcurrentHashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, String> triggers = new ConcurrentHashMap<>();
    private volatile Consumer<String> onRestart = u -> {
    };
    private volatile String failRestartOf;
    private volatile Consumer<String> onStop = u -> {
    };

    /** Called with the unit name after each successful restart. */
    public void onRestart(Consumer<String> hook) {
        this.onRestart = hook;
    }

    /** Makes {@code restart(unit)} fail (null clears). */
    public void failRestartOf(String unit) {
        this.failRestartOf = unit;
    }

    public void setState(String unit, String state) {
        states.put(unit, state);
    }

    /** Every call as {@code "restart hh-pool.service"}, in order. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public void restart(String unit) throws IOException {
        synchronized (this) {
            calls.add("restart " + unit);
        }
        if (unit.equals(failRestartOf)) {
            states.put(unit, "failed");
            throw new IOException("Job for " + unit + " failed (fake)");
        }
        states.put(unit, "active");
        onRestart.accept(unit);
    }

    @Override
    public void stop(String unit) {
        synchronized (this) {
            calls.add("stop " + unit);
        }
        states.put(unit, "inactive");
        onStop.accept(unit);
    }

    /** Declares {@code trigger} (e.g. hh-pool.socket) as a unit that starts {@code unit} on demand. */
    public void setTriggeredBy(String unit, String trigger) {
        triggers.put(unit, trigger);
    }

    @Override
    public List<String> triggeredBy(String unit) {
        String t = triggers.get(unit);
        return t == null ? List.of() : List.of(t);
    }

    /** Called with the unit name after each stop. */
    public void onStop(Consumer<String> hook) {
        this.onStop = hook;
    }

    @Override
    public String activeState(String unit) {
        return states.getOrDefault(unit, "inactive");
    }
}
