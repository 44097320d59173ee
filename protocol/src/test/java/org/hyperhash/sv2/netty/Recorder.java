package org.hyperhash.sv2.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;

/** Test application handler: records what reaches the end of the pipeline. */
public final class Recorder extends ChannelInboundHandlerAdapter {
    final List<Object> messages = new ArrayList<>();
    final List<Object> events = new ArrayList<>();
    final List<Throwable> exceptions = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ReferenceCountUtil.refCnt(msg) > 0) {
            ReferenceCountUtil.release(msg);
            throw new AssertionError("reference-counted object reached the application: " + msg.getClass());
        }
        messages.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        events.add(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        exceptions.add(cause);
    }

    List<Sv2ErrorEvent> errors() {
        return events.stream().filter(e -> e instanceof Sv2ErrorEvent).map(e -> (Sv2ErrorEvent) e).toList();
    }
}
