package org.hyperhash.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * Routes {@link System.Logger} (the node agent logs through it: the agent module is JDK-only) into SLF4J, so the
 * agent follows the same logging switch as the daemons (HH_LOG_FORMAT, HH_LOG_DIR, HH_LOG_LEVEL, SIGHUP reload).
 * SLF4J's own bridge (org.slf4j:slf4j-jdk-platform-logging) is not served by the package mirror this project
 * builds from, hence these few lines; swap them for it when it is.
 */
public final class Slf4jLoggerFinder extends System.LoggerFinder {
    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Bridge(LoggerFactory.getLogger(name));
    }

    private record Bridge(Logger log) implements System.Logger {
        @Override
        public String getName() {
            return log.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return switch (level) {
                case ALL, TRACE -> log.isTraceEnabled();
                case DEBUG -> log.isDebugEnabled();
                case INFO -> log.isInfoEnabled();
                case WARNING -> log.isWarnEnabled();
                case ERROR -> log.isErrorEnabled();
                case OFF -> false;
            };
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            emit(level, msg, thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            String msg = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
            emit(level, msg, null);
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            if (isLoggable(level)) {
                emit(level, msgSupplier.get(), null);
            }
        }

        private void emit(Level level, String msg, Throwable t) {
            switch (level) {
                case ALL, TRACE -> log.trace(msg, t);
                case DEBUG -> log.debug(msg, t);
                case INFO -> log.info(msg, t);
                case WARNING -> log.warn(msg, t);
                case ERROR -> log.error(msg, t);
                case OFF -> { }
            }
        }
    }
}
