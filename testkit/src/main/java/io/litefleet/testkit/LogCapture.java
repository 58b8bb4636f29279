package io.litefleet.testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Collects what one logger (a {@code System.Logger}, backed by {@code java.util.logging} as in production) prints
 * while open, as {@code "LEVEL message"} lines. Thread-safe; close it to detach.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
            lines.add(r.getLevel().getName() + " " + formatter.formatMessage(r));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name) {
        this.logger = Logger.getLogger(name); // held: java.util.logging keeps loggers only weakly
        logger.addHandler(handler);
    }

    /** Starts collecting what the logger {@code name} (usually a class name) prints. */
    public static LogCapture open(String name) {
        return new LogCapture(name);
    }

    /** The lines so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** How many lines so far contain {@code fragment}. */
    public long count(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).count();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
