package io.litefleet.core.cli;

import io.litefleet.core.config.LoggingConfig;
import java.io.PrintStream;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/** Applies a config's {@code logging:} section to the process's log output (the JDK's logging, root logger). */
final class LogSetup {
    private LogSetup() {
    }

    static void apply(LoggingConfig c) {
        Logger root = Logger.getLogger("");
        Level level = switch (c.level()) {
            case DEBUG, TRACE, ALL -> Level.FINE;
            case WARNING -> Level.WARNING;
            case ERROR, OFF -> Level.SEVERE;
            default -> Level.INFO;
        };
        boolean stdout = c.stderr().map(b -> !b).orElse(false);
        if (level == Level.INFO && !c.json() && !stdout && !c.source()) {
            return; // the defaults: nothing to change
        }
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Formatter f = c.json() ? new JsonLines(c.source()) : c.source() ? new WithSource() : new SimpleFormatter();
        Handler h = stdout ? new AutoFlushing(System.out, f) : new ConsoleHandler();
        h.setFormatter(f);
        h.setLevel(level);
        root.addHandler(h);
        root.setLevel(level);
    }

    /** A stream handler that flushes each record (standard output is not flushed by the JDK's handler). */
    private static final class AutoFlushing extends StreamHandler {
        AutoFlushing(PrintStream out, Formatter f) {
            super(out, f);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            super.publish(r);
            flush();
        }

        @Override
        public synchronized void close() {
            flush();
        }
    }

    /** Where a record was logged: class and method, as the JDK inferred them. */
    static String source(LogRecord r) {
        return java.util.Objects.toString(r.getSourceClassName(), java.util.Objects.toString(r.getLoggerName(), ""))
                + (r.getSourceMethodName() == null ? "" : "." + r.getSourceMethodName());
    }

    /** The default text line with the source after the level (upstream's {@code source: true}). */
    private static final class WithSource extends Formatter {
        private final SimpleFormatter plain = new SimpleFormatter();

        @Override
        public String format(LogRecord r) {
            String line = plain.format(r);
            int space = line.indexOf(' ', line.indexOf(' ') + 1); // after the time and the level
            return space < 0 ? line : line.substring(0, space) + " source=" + source(r) + line.substring(space);
        }
    }

    /**
     * One JSON object per line: time, level (upstream's names), logger, message (with the error, if any) and, with
     * {@code source}, where it was logged.
     */
    static final class JsonLines extends Formatter {
        private final boolean source;

        JsonLines() {
            this(false);
        }

        JsonLines(boolean source) {
            this.source = source;
        }

        @Override
        public String format(LogRecord r) {
            String msg = formatMessage(r);
            if (r.getThrown() != null) {
                msg = msg + ": " + r.getThrown();
            }
            String level = r.getLevel().intValue() >= Level.SEVERE.intValue() ? "ERROR"
                    : r.getLevel().intValue() >= Level.WARNING.intValue() ? "WARN"
                    : r.getLevel().intValue() >= Level.INFO.intValue() ? "INFO" : "DEBUG";
            return "{\"time\":\"" + Instant.ofEpochMilli(r.getMillis()) + "\",\"level\":\"" + level
                    + "\",\"logger\":" + DatabasesCommand.quote(java.util.Objects.toString(r.getLoggerName(), ""))
                    + (source ? ",\"source\":" + DatabasesCommand.quote(source(r)) : "")
                    + ",\"msg\":" + DatabasesCommand.quote(msg) + "}\n";
        }
    }
}
