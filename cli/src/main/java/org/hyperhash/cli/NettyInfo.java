package org.hyperhash.cli;

final class NettyInfo {
    private NettyInfo() {
    }

    static String transport() {
        try {
            return io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio (epoll unavailable: "
                    + io.netty.channel.epoll.Epoll.unavailabilityCause() + ")";
        } catch (Throwable t) {
            return "nio";
        }
    }
}
