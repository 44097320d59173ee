package org.hyperhash.translator;

import org.hyperhash.daemon.DaemonConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TranslatorConfigTest {

    static TranslatorConfig load(List<String> sets, Map<String, String> env) {
        sets = new java.util.ArrayList<>(sets);
        sets.add(0, "upstream.user-identity=\"bcrt1qexample.translator\"");
        return TranslatorConfig.from(DaemonConfig.load(null, sets, TranslatorConfig.ENV_PREFIX, TranslatorConfig.ROOT, env));
    }

    @Test
    void referenceDefaults() {
        TranslatorConfig c = load(List.of(), Map.of());
        assertEquals(34255, c.sv1Listen().getPort());
        assertEquals("0.0.0.0", c.sv1Listen().getHostString());
        assertEquals(4, c.bridge().extranonce2Size());
        assertEquals(16, c.bridge().maxExtranonce1Bytes());
        assertTrue(c.bridge().stableExtranonce1());
        assertEquals(1, c.pools().size());
        assertEquals(9092, c.adminListen().getPort());
        assertTrue(c.bridge().vardiff().minDifficulty() <= 1e-5, "floor low enough for NerdMiner");
        assertTrue(c.bridge().vardiff().maxDifficulty() >= 1e6, "ceiling high enough for 200+ TH/s");
        assertEquals(999, c.bridge().channelsPerConnection(), "one below the pool's max-channels-per-connection");
    }

    @Test
    void channelsPerConnectionIsReadAndChecked() {
        assertEquals(3, load(List.of("upstream.channels-per-connection=3"), Map.of()).bridge().channelsPerConnection());
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("upstream.channels-per-connection=0"),
                Map.of())).getMessage().contains("upstream.channels-per-connection must be >= 1"));
    }

    @Test
    void idleTimeoutUnderASecondIsAnError() {
        assertEquals(java.time.Duration.ofMinutes(10), load(List.of(), Map.of()).idleTimeout());
        assertEquals(java.time.Duration.ofMillis(1500), load(List.of("sv1.idle-timeout=1500ms",
                "sv1.setup-timeout=1s"), Map.of()).idleTimeout());
        for (String bad : List.of("0", "500ms", "-1s")) {
            assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("sv1.idle-timeout=" + bad), Map.of()))
                    .getMessage().contains("sv1.idle-timeout must be at least 1s"), bad);
        }
    }

    @Test
    void setupTimeoutIsReadAndChecked() {
        assertEquals(java.time.Duration.ofSeconds(60), load(List.of(), Map.of()).sv1Limits().setupTimeout());
        assertEquals(java.time.Duration.ofSeconds(20), load(List.of("sv1.setup-timeout=20s"), Map.of()).sv1Limits().setupTimeout());
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("sv1.setup-timeout=500ms"), Map.of()))
                .getMessage().contains("sv1.setup-timeout must be at least 1s"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("sv1.setup-timeout=5m",
                "sv1.idle-timeout=5m"), Map.of())).getMessage().contains("must be shorter than sv1.idle-timeout"));
    }

    @Test
    void openRetryIsReadCheckedAndStrict() {
        var d = load(List.of(), Map.of()).openRetry();
        assertEquals(java.time.Duration.ofSeconds(1), d.initial());
        assertEquals(java.time.Duration.ofSeconds(15), d.max());
        assertEquals(0.2, d.jitter());
        assertEquals(java.time.Duration.ofMinutes(2), d.maxWait());
        var c = load(List.of("upstream.open-retry.initial=250ms", "upstream.open-retry.max=5s", "upstream.open-retry.jitter=0",
                "upstream.open-retry.max-wait=0s"), Map.of()).openRetry();
        assertEquals(250, c.delayMillis(1, 0.9));
        assertEquals(java.time.Duration.ZERO, c.maxWait());
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("upstream.open-retry.jitter=2"), Map.of()))
                .getMessage().contains("upstream.open-retry.jitter"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("upstream.open-retry.max=100ms"), Map.of()))
                .getMessage().contains("initial <= max"));
        assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("upstream.open-retry.max-waits=1s"), Map.of()),
                "unknown keys are errors");
    }

    @Test
    void acceptBacklogIsReadAndChecked() {
        assertEquals(16384, load(List.of(), Map.of()).sv1AcceptBacklog(), "reference.conf default, Backlog= of hh-translator.socket");
        assertEquals(org.hyperhash.translator.sv1.Sv1Server.DEFAULT_ACCEPT_BACKLOG, load(List.of(), Map.of()).sv1AcceptBacklog(),
                "configs built in code get the same backlog");
        assertEquals(8192, load(List.of("sv1.accept-backlog=8192"), Map.of()).sv1AcceptBacklog());
        for (String bad : List.of("0", "65536")) {
            assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("sv1.accept-backlog=" + bad), Map.of()))
                    .getMessage().contains("sv1.accept-backlog must be 1..65535"), bad);
        }
    }

    @Test
    void sv1WarmupIsReadAndChecked() {
        TranslatorConfig d = load(List.of(), Map.of());
        assertEquals(TranslatorConfig.DEFAULT_WARMUP_SESSIONS, d.sv1WarmupSessions(), "reference.conf = the constant");
        assertEquals(TranslatorConfig.DEFAULT_WARMUP_MAX_TIME, d.sv1WarmupMaxTime());
        assertEquals(TranslatorConfig.DEFAULT_WARMUP_UNTIL_JIT_IDLE, d.sv1WarmupUntilJitIdle());
        TranslatorConfig untilIdle = load(List.of("sv1.warmup.until-jit-idle=true"), Map.of());
        assertTrue(untilIdle.sv1WarmupUntilJitIdle());
        assertTrue(untilIdle.summary().get("sv1.warmup").toString().contains("until the JIT is idle"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("sv1.warmup.until-jit-idle=maybe"), Map.of()))
                .getMessage().contains("until-jit-idle"));
        assertTrue(d.summary().get("sv1.warmup").toString().contains("sessions"));
        TranslatorConfig off = load(List.of("sv1.warmup.sessions=0"), Map.of());
        assertEquals(0, off.sv1WarmupSessions());
        assertEquals("off", off.summary().get("sv1.warmup"));
        assertEquals(java.time.Duration.ofMillis(1500), load(List.of("sv1.warmup.max-time=1500ms"), Map.of()).sv1WarmupMaxTime());
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("sv1.warmup.sessions=-1"), Map.of()))
                .getMessage().contains("sv1.warmup.sessions"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("sv1.warmup.max-time=2m"), Map.of()))
                .getMessage().contains("sv1.warmup.max-time"));
    }

    @Test
    void envAndSetOverrides() {
        TranslatorConfig c = load(List.of("upstream.pools=[{host=\"10.0.0.1\",port=3333},{name=backup,host=b.example,port=3334}]"),
                Map.of("TRANSLATOR_SV1_EXTRANONCE2__SIZE", "8", "TRANSLATOR_SV1_LISTEN", "127.0.0.1:3333"));
        assertEquals(8, c.bridge().extranonce2Size());
        assertEquals(3333, c.sv1Listen().getPort());
        assertEquals("10.0.0.1:3333", c.pools().get(0).name());
        assertEquals("backup", c.pools().get(1).name());
        assertFalse(c.pools().get(1).encrypted());
    }

    @Test
    void userIdentityIsRequired() {
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> TranslatorConfig.from(DaemonConfig.load(null, List.of(),
                null, TranslatorConfig.ROOT, Map.of()))).getMessage().contains("upstream.user-identity must be set"));
    }

    @Test
    void invalidValuesNameThePath() {
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("sv1.extranonce2-size=9"), Map.of()))
                .getMessage().contains("sv1.extranonce2-size must be 1..8"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("upstream.mode=solo"), Map.of()))
                .getMessage().contains("upstream.mode"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("upstream.mode=per-miner",
                "sv1.stable-extranonce1=false"), Map.of())).getMessage().contains("stable-extranonce1"));
        assertTrue(load(List.of("upstream.mode=per-miner"), Map.of()).bridge().perMinerChannels());
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("upstream.pools=[]"), Map.of()))
                .getMessage().contains("upstream.pools"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("upstream.pools=[{host=x,port=70000}]"), Map.of()))
                .getMessage().contains("upstream.pools[0]"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(
                List.of("upstream.pools=[{host=x,port=3333,authority-key=\"9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH73\"}]"),
                Map.of())).getMessage().contains("upstream.pools[0]: authority public key"));
        assertTrue(assertThrows(DaemonConfig.ConfigError.class, () -> load(List.of("sv1.listen=nonsense"), Map.of()))
                .getMessage().contains("sv1.listen"));
    }

    @Test
    void shippedExamplesParse() throws Exception {
        Path dir = Path.of("config-examples");
        try (var files = Files.list(dir)) {
            List<Path> l = files.filter(p -> p.toString().endsWith(".conf")).toList();
            assertEquals(4, l.size(), "mainnet, testnet4, signet, regtest");
            for (Path p : l) {
                TranslatorConfig c = TranslatorConfig.from(DaemonConfig.load(p, List.of(), null, TranslatorConfig.ROOT, Map.of()));
                assertFalse(c.pools().isEmpty(), p.toString());
            }
        }
    }
}
