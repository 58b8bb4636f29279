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
}
