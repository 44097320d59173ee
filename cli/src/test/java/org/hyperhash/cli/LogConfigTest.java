package org.hyperhash.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's logging configurations (cli/src/main/resources/logback*.xml): files under HH_LOG_DIR with daily and
 * size rotation, JSON lines carrying the formatted message, and the node agent's System.Logger routed into them.
 */
class LogConfigTest {
    @TempDir
    Path dir;

    @AfterEach
    void restore() throws Exception {
        System.clearProperty("HH_LOG_DIR");
        System.clearProperty("hh.log.name");
        configure("logback-test.xml");
    }

    private static LoggerContext configure(String resource) throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        JoranConfigurator j = new JoranConfigurator();
        j.setContext(ctx);
        var url = LogConfigTest.class.getClassLoader().getResource(resource);
        if (url != null) {
            j.doConfigure(url);
        }
        return ctx;
    }

    @Test
    void jsonFileConfigurationWritesRotatedFilesWithTheFormattedMessage() throws Exception {
        System.setProperty("HH_LOG_DIR", dir.toString());
        System.setProperty("hh.log.name", "pool");
        LoggerContext ctx = configure("logback-json-file.xml");
        LoggerFactory.getLogger("org.hyperhash.pool.Test").warn("pools must pin {}", "the key");
        System.getLogger("org.hyperhash.agent").log(System.Logger.Level.INFO, "agent check: up to date");
        var appender = (ch.qos.logback.core.rolling.RollingFileAppender<?>) ctx.getLogger("ROOT").getAppender("FILE");
        var policy = (ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy<?>) appender.getRollingPolicy();
        assertTrue(policy.getFileNamePattern().endsWith("pool.%d{yyyy-MM-dd}.%i.log.gz"), policy.getFileNamePattern());
        assertTrue(policy.getMaxHistory() == 14, "14 days kept");
        ctx.stop(); // flush
        String file = Files.readString(dir.resolve("pool.log"), StandardCharsets.UTF_8);
        assertTrue(file.contains("pools must pin the key"), file);
        assertFalse(file.contains("pools must pin {}") || file.contains("\"arguments\""), "template and arguments: " + file);
        assertTrue(file.lines().allMatch(l -> l.startsWith("{") && l.endsWith("}")), "JSON lines: " + file);
        assertTrue(file.contains("agent check: up to date"), "the agent's System.Logger goes to the same files: " + file);
    }

    @Test
    void textFileConfigurationAndTheStderrOnlyDefaults() throws Exception {
        System.setProperty("HH_LOG_DIR", dir.toString());
        System.setProperty("hh.log.name", "tp");
        LoggerContext ctx = configure("logback-file.xml");
        LoggerFactory.getLogger("org.hyperhash.tp.Test").info("listening {} on {}", "sv2", "0.0.0.0:8442");
        ctx.stop();
        assertTrue(Files.readString(dir.resolve("tp.log")).contains("listening sv2 on 0.0.0.0:8442"));
        for (String stderrOnly : new String[] {"logback.xml", "logback-json.xml"}) {
            LoggerContext c = configure(stderrOnly);
            assertTrue(c.getLogger("ROOT").getAppender("STDERR") != null && c.getLogger("ROOT").getAppender("FILE") == null,
                    stderrOnly);
        }
    }
}
