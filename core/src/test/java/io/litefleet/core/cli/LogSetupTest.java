package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The {@code logging: {type: json}} line format. */
class LogSetupTest {
    @Test
    void jsonLines_oneObjectPerLine_escaped_upstreamLevelNames() {
        LogRecord r = new LogRecord(Level.WARNING, "a \"quoted\" path\\with\nnewline\u0001");
        r.setLoggerName("io.litefleet.x");
        r.setMillis(1_764_000_000_000L);
        assertEquals("{\"time\":\"2025-11-24T16:00:00Z\",\"level\":\"WARN\",\"logger\":\"io.litefleet.x\","
                + "\"msg\":\"a \\\"quoted\\\" path\\\\with\\nnewline\\u0001\"}\n", new LogSetup.JsonLines().format(r));
        r.setLevel(Level.FINE);
        assertEquals(true, new LogSetup.JsonLines().format(r).contains("\"level\":\"DEBUG\""));
    }

    @Test
    void source_namesWhereTheLineWasLogged() {
        LogRecord r = new LogRecord(Level.INFO, "synced");
        r.setLoggerName("io.litefleet.x");
        r.setSourceClassName("io.litefleet.core.engine.DbReplicator");
        r.setSourceMethodName("sync");
        r.setMillis(1_764_000_000_000L);
        assertEquals(true, new LogSetup.JsonLines(true).format(r)
                .contains(",\"source\":\"io.litefleet.core.engine.DbReplicator.sync\","));
        assertEquals(false, new LogSetup.JsonLines(false).format(r).contains("source"));
        io.litefleet.core.config.LoggingConfig c = io.litefleet.core.config.LitefleetConfig.parse(
                java.nio.file.Path.of("/etc/l.yml"), io.litefleet.core.config.YamlLoader.withoutExpansion()
                        .parse("/etc/l.yml", "logging:\n  source: true\n  level: debug\n")).logging();
        assertEquals(true, c.source());
        assertEquals(System.Logger.Level.DEBUG, c.level());
    }
}
