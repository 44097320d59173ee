package org.hyperhash.tp.node;

import org.hyperhash.base.Hex;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A real JeroMQ PUB -> our SUB over loopback, replaying Core's recorded hashblock frames. */
class ZmqBlockListenerIT {

    @Test
    void receivesRecordedHashblockMessagesOverLoopback() throws Exception {
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket pub = ctx.createSocket(SocketType.PUB);
            int port = pub.bindToRandomPort("tcp://127.0.0.1");
            BlockingQueue<BlockNotification> got = new LinkedBlockingQueue<>();
            try (ZmqBlockListener l = new ZmqBlockListener("tcp://127.0.0.1:" + port)) {
                l.start(got::add);
                var msgs = Vectors.fixture("zmq-hashblock.json");
                // PUB/SUB slow joiner: publish a probe until the subscription is in place
                BlockNotification first = null;
                for (int i = 0; i < 1200 && first == null; i++) { // up to 60 s on a heavily loaded machine
                    send(pub, msgs.get(0));
                    first = got.poll(50, TimeUnit.MILLISECONDS);
                }
                assertNotNull(first, "no notification received");
                assertEquals(0x7b, first.sequence());
                got.clear();
                send(pub, msgs.get(1));
                BlockNotification second = got.poll(5, TimeUnit.SECONDS);
                assertNotNull(second);
                assertEquals(0x7c, second.sequence());
                assertEquals(msgs.get(1).get("frames_hex").get(1).asText(), second.blockHash().toDisplayHex());
                // a malformed message is counted, not fatal
                pub.send("hashblock".getBytes(), ZMQ.SNDMORE);
                pub.send(new byte[5], 0);
                send(pub, msgs.get(1));
                assertNotNull(got.poll(5, TimeUnit.SECONDS));
                assertEquals(1, l.malformedCount());
            }
        }
    }

    private static void send(ZMQ.Socket pub, com.fasterxml.jackson.databind.JsonNode msg) {
        var frames = msg.get("frames_hex");
        for (int i = 0; i < frames.size(); i++) {
            pub.send(Hex.decode(frames.get(i).asText()), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
        }
    }
}
