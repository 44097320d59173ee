package org.hyperhash.tp.downstream;

import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;

import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

/** In-process pool sessions for probes in other packages (the session's constructor is package-private). */
public final class ProbeSessions {
    private ProbeSessions() {
    }

    /** A set-up TDP session on {@code hub} whose outbound messages go to {@code sink} (on the hub's thread). */
    public static TdpSession attach(TemplateHub hub, Consumer<List<Sv2Message>> sink) {
        TdpSession s = new TdpSession(hub, new TdpSession.Outbound() {
            @Override
            public boolean sendAll(List<Sv2Message> messages, long notifiedNanos) {
                sink.accept(messages);
                return true;
            }

            @Override
            public void close(String reason) {
            }
        }, "probe");
        s.onMessage(new SetupConnection(2, 2, 2, 0, "127.0.0.1", 8442, "probe", "", "", ""));
        s.onMessage(new CoinbaseOutputConstraints(74, OptionalInt.of(16)));
        return s;
    }
}
