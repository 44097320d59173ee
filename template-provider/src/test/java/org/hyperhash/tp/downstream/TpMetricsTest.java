package org.hyperhash.tp.downstream;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.tp.node.HttpBitcoindRpc;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TpMetricsTest {

    @Test
    void everyMeterIsNamedHhTp() {
        TpMetrics m = TpMetrics.noop();
        List<String> names = m.registry().getMeters().stream().map(x -> x.getId().getName()).distinct().toList();
        assertTrue(names.size() >= 8, names.toString());
        names.forEach(n -> assertTrue(n.startsWith("hh_tp_"), n));
    }

    @Test
    void labelledCountersAreRegisteredUpFrontWithZeros() {
        TpMetrics m = TpMetrics.noop();
        for (String reason : TpMetrics.CLOSE_REASONS) {
            assertZero(m, TpMetrics.SESSIONS_CLOSED, "reason", reason);
        }
        for (String result : List.of("accepted", "unknown-template-id", "rpc-error", "bad-coinbase-tx", "high-hash")) {
            assertZero(m, TpMetrics.BLOCKS_SUBMITTED, "result", result);
        }
        for (String method : HttpBitcoindRpc.METHODS) {
            for (RpcException.Kind kind : RpcException.Kind.values()) {
                var c = m.registry().find(TpMetrics.RPC_ERRORS).tag("method", method).tag("kind", TpMetrics.kindLabel(kind)).counter();
                assertNotNull(c, method + "/" + kind);
                assertEquals(0, c.count());
            }
        }
    }

    @Test
    void eventsIncrementThePreRegisteredCounterAndUnknownValuesStillCount() {
        TpMetrics m = TpMetrics.noop();
        int before = m.registry().getMeters().size();
        m.blockSubmitted("accepted");
        m.sessionClosed("slow-consumer");
        m.rpcError("submitblock", "timeout");
        assertEquals(before, m.registry().getMeters().size(), "known values reuse the registered counters");
        assertEquals(1, m.blocksSubmitted("accepted"));
        assertEquals(1, m.registry().find(TpMetrics.SESSIONS_CLOSED).tag("reason", "slow_consumer").counter().count());
        assertEquals(1, m.registry().find(TpMetrics.RPC_ERRORS).tag("method", "submitblock").tag("kind", "timeout").counter().count());
        m.blockSubmitted("bad-txnmrklroot"); // one of Core's reject strings: its own label, registered up front
        assertEquals(1, m.blocksSubmitted("bad-txnmrklroot"));
        assertEquals(before, m.registry().getMeters().size());
    }

    @Test
    void coreRejectStringsOutsideTheKnownSetCountAsOtherSoTheLabelStaysBounded() {
        TpMetrics m = TpMetrics.noop();
        int before = m.registry().getMeters().size();
        m.blockSubmitted("bad-version(0x00000001)"); // Core formats values into some reject strings
        m.blockSubmitted("bad-version(0x00000002)");
        m.blockSubmitted("some-future-core-reason");
        assertEquals(3, m.blocksSubmitted("other"));
        assertEquals(0, m.blocksSubmitted("bad-version(0x00000001)"));
        assertEquals(before, m.registry().getMeters().size(), "no new series for strings we do not know");
    }

    @Test
    void prometheusScrapeShowsZeroSamplesBeforeAnyEvent() {
        PrometheusMeterRegistry registry = Metrics.newRegistry("tp");
        try {
            new TpMetrics(registry);
            String body = registry.scrape();
            assertTrue(body.lines().anyMatch(l -> l.startsWith("hh_tp_sessions_closed_total{") && l.contains("reason=\"closed\"")
                    && l.endsWith(" 0.0")), body);
            assertTrue(body.lines().anyMatch(l -> l.startsWith("hh_tp_blocks_submitted_total{") && l.contains("result=\"accepted\"")
                    && l.endsWith(" 0.0")), body);
            assertTrue(body.lines().anyMatch(l -> l.startsWith("hh_tp_rpc_errors_total{") && l.contains("method=\"getblocktemplate\"")
                    && l.contains("kind=\"timeout\"")), body);
            assertTrue(body.lines().noneMatch(l -> l.startsWith("tp_")), body);
        } finally {
            registry.close();
        }
    }

    private static void assertZero(TpMetrics m, String name, String tag, String value) {
        Meter meter = m.registry().find(name).tag(tag, value).counter();
        assertNotNull(meter, name + "{" + tag + "=" + value + "}");
        assertEquals(0, m.registry().find(name).tag(tag, value).counter().count());
    }
}
