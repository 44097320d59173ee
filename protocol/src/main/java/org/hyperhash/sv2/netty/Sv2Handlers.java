package org.hyperhash.sv2.netty;

import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shared failure path of the SV2 handlers. */
final class Sv2Handlers {
    private static final Logger LOG = LoggerFactory.getLogger(Sv2Handlers.class);

    private Sv2Handlers() {
    }

    /**
     * Fires {@link Sv2ErrorEvent} towards the application and closes the channel. Logged at DEBUG
     * only: the application counts the event; a hostile peer must not be able to flood the log.
     */
    static void fail(ChannelHandlerContext ctx, Sv2ErrorEvent.Kind kind, String detail) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} closing: {}: {}", ctx.channel(), kind.label(), detail);
        }
        ctx.fireUserEventTriggered(new Sv2ErrorEvent(kind, detail));
        ctx.close();
    }
}
