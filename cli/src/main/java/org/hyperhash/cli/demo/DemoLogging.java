package org.hyperhash.cli.demo;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Moves the demo's logs off the terminal into a file, so the dashboard is the only thing on the screen.
 * Five components log at INFO; on a terminal those lines would tear the redrawn screen apart.
 */
public final class DemoLogging {
    /** Same layout as logback.xml's console pattern, so a log file reads like the daemons' journal. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

    private DemoLogging() {
    }

    /**
     * Replaces every appender of the root logger by one appending to {@code file} (created with its
     * folder). Returns false, leaving logging untouched, when the logging backend is not logback.
     */
    public static boolean toFile(Path file) throws IOException {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return false;
        }
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern(PATTERN);
        enc.start();
        FileAppender<ILoggingEvent> app = new FileAppender<>();
        app.setContext(ctx);
        app.setName("DEMO_FILE");
        app.setFile(abs.toString());
        app.setAppend(true);
        app.setEncoder(enc);
        app.start();
        if (!app.isStarted()) {
            throw new IOException("cannot open the demo log file " + abs);
        }
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(app);
        return true;
    }
}
