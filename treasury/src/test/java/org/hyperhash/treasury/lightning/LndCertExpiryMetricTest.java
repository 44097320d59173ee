package org.hyperhash.treasury.lightning;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.testkit.Gc;
import org.hyperhash.treasury.TreasuryMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** hh_treasury_lnd_tls_cert_expiry_timestamp_seconds, the source of the LND certificate expiry alert, on a real scrape. */
class LndCertExpiryMetricTest {
    private static final Pattern EXPIRY = Pattern.compile(
            "hh_treasury_lnd_tls_cert_expiry_timestamp_seconds\\{service=\"treasury\"} (\\S+)");

    @TempDir
    Path dir;

    @Test
    void exportsTheCertificatesNotAfterAfterGcAndZeroWithoutLnd() throws Exception {
        PrometheusMeterRegistry r = Metrics.newRegistry("treasury");
        TreasuryMetrics m = new TreasuryMetrics(r);
        assertEquals(0.0, value(r), "no LND configured");
        try (FakeLnd lnd = new FakeLnd(dir, "0201")) { // keytool certificate valid for 2 days
            m.lndTlsCert(lnd.certPem);
            Gc.force();
            double expiry = value(r);
            double inTwoDays = System.currentTimeMillis() / 1000.0 + 2 * 86400;
            assertTrue(Math.abs(expiry - inTwoDays) < 3600, "expiry " + expiry + " vs now + 2 days " + inTwoDays);
        }
        m.lndTlsCert(dir.resolve("missing.cert"));
        assertEquals(0.0, value(r), "unreadable certificate file");
    }

    private static double value(PrometheusMeterRegistry r) {
        Matcher x = EXPIRY.matcher(r.scrape());
        assertTrue(x.find(), "expiry gauge missing");
        return Double.parseDouble(x.group(1));
    }
}
