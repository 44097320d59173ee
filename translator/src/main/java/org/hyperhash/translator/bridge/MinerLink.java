package org.hyperhash.translator.bridge;

import java.net.SocketAddress;

/** The bridge's view of one SV1 connection. Implementations are thread-safe (Netty channel writes). */
public interface MinerLink {

    /** Writes one line: an {@link org.hyperhash.sv1.Sv1Message} or a pre-serialized JSON String. */
    void send(Object message);

    /** Writes then closes after the write completes. */
    void sendAndClose(Object message);

    void close();

    SocketAddress remoteAddress();
}
