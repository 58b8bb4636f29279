package io.litefleet.core.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.litefleet.core.config.HeartbeatConfig;
import io.litefleet.core.engine.DbStats;
import io.litefleet.testkit.MutableClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Upstream's heartbeat: a GET at most once per interval, only while every database synced within it. */
class HeartbeatTest {
    private final AtomicInteger pings = new AtomicInteger();
    private volatile int status = 200;
    private HttpServer server;
    private HeartbeatConfig config;

    @BeforeEach
    void receiver() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/ping/token", exchange -> {
            pings.incrementAndGet();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        config = new HeartbeatConfig(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/ping/token"), Duration.ofMinutes(1));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void pings_onlyWhenEveryDatabaseSyncedWithinTheInterval_atMostOncePerInterval() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        DbStats a = new DbStats();
        DbStats b = new DbStats();
        Heartbeat h = Heartbeat.manual(config, List.of(a, b), clock);
        assertFalse(h.check(), "no database has synced yet");
        a.succeededAt(clock.instant());
        assertFalse(h.check(), "b has not synced");
        b.succeededAt(clock.instant());
        assertTrue(h.check());
        assertEquals(1, pings.get());
        clock.advance(Duration.ofSeconds(30));
        a.succeededAt(clock.instant());
        b.succeededAt(clock.instant());
        assertFalse(h.check(), "at most one ping per interval");
        clock.advance(Duration.ofSeconds(31));
        assertTrue(h.check(), "a minute after the last ping, both synced 31 s ago");
        assertEquals(2, pings.get());
        clock.advance(Duration.ofSeconds(61));
        b.succeededAt(clock.instant());
        assertFalse(h.check(), "a last synced 92 s ago: replication of a is stuck, no ping");
        assertEquals(2, pings.get());
    }

    @Test
    void aFailingEndpoint_isNotRetriedBeforeTheNextInterval() {
        status = 503;
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        DbStats a = new DbStats();
        a.succeededAt(clock.instant());
        Heartbeat h = Heartbeat.manual(config, List.of(a), clock);
        assertTrue(h.check());
        clock.advance(Duration.ofSeconds(15));
        a.succeededAt(clock.instant());
        assertFalse(h.check());
        assertEquals(1, pings.get());
    }

    @Test
    void withoutDatabases_neverPings() {
        Heartbeat h = Heartbeat.manual(config, List.of(), new MutableClock(Instant.EPOCH));
        assertFalse(h.check());
        assertEquals(0, pings.get());
    }
}
