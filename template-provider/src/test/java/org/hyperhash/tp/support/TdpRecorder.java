package org.hyperhash.tp.support;

import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TdpListener;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A TdpListener that queues every event for a test to take in order. */
public final class TdpRecorder implements TdpListener {
    /** onConnected. */
    public record Connected(TdpEndpoint endpoint) {
    }

    /** onDisconnected. */
    public record Disconnected(TdpEndpoint endpoint, String reason) {
    }

    public final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    public volatile NewTemplate lastTemplate;
    public volatile SetNewPrevHash lastPrevHash;

    @Override
    public void onNewTemplate(NewTemplate template) {
        lastTemplate = template;
        events.add(template);
    }

    @Override
    public void onSetNewPrevHash(SetNewPrevHash prevHash) {
        lastPrevHash = prevHash;
        events.add(prevHash);
    }

    @Override
    public void onConnected(TdpEndpoint endpoint) {
        events.add(new Connected(endpoint));
    }

    @Override
    public void onDisconnected(TdpEndpoint endpoint, String reason) {
        events.add(new Disconnected(endpoint, reason));
    }

    /** The next event (fails after 20 s). */
    public Object next() throws InterruptedException {
        Object o = events.poll(20, TimeUnit.SECONDS);
        assertNotNull(o, "no TDP event within 20 s");
        return o;
    }

    public <T> T next(Class<T> type) throws InterruptedException {
        return assertInstanceOf(type, next());
    }

    /** Skips events until one of {@code type} arrives. */
    public <T> T nextOf(Class<T> type) throws InterruptedException {
        while (true) {
            Object o = next();
            if (type.isInstance(o)) {
                return type.cast(o);
            }
        }
    }
}
