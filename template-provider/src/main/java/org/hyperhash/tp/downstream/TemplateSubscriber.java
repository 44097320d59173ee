package org.hyperhash.tp.downstream;

import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.tp.template.OutputReservation;

import java.util.List;

/** A TDP client connection as the {@link TemplateHub} sees it. */
interface TemplateSubscriber {

    OutputReservation reservation();

    /** False once the connection is closed (a subscription queued before that is then dropped). */
    default boolean open() {
        return true;
    }

    /**
     * Delivers messages in order (called from the hub's thread; must not block: implementations
     * hand over to their connection's event loop).
     *
     * @param notifiedNanos latency start for a SetNewPrevHash in the batch, 0 if none
     */
    void deliver(List<Sv2Message> messages, long notifiedNanos);
}
