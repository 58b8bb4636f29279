package io.litefleet.core.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.Litefleet;
import io.litefleet.core.Replication;
import io.litefleet.core.engine.BothRestores;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.MutableClock;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded series: a fleet of 100 and one of 1,000 databases (file replicas, all discovered, 3 hot, changes shipped by
 * hot syncs and by transient passes) serve the same series at {@code /metrics}, and every family the issue lists is
 * among them. Each fleet runs in this JVM on a manual clock (every step is driven by the test, no sleeps).
 */
class MetricsSeriesIT {
    private static final int HOT = 3;
    /**
     * The client's per-pool allocation counters appear once the pool's first collection is seen, whatever the
     * fleet's size: a collection during one fleet and not the other would differ by a series that says nothing
     * about databases.
     */
    private static final String GC_DEPENDENT = "jvm_memory_pool_allocated_bytes_total";

    @TempDir
    Path dir;

    @Test
    void seriesAreTheSame_for100And1000Databases_andEveryListedFamilyIsServed() throws Exception {
        String small = fleetScrape(100);
        String large = fleetScrape(1_000);
        Set<String> a = series(small);
        Set<String> b = series(large);
        assertEquals(a, b, "series differ between 100 and 1,000 databases");
        assertTrue(a.size() > 100, "a real scrape: " + a.size() + " series");
        assertFalse(large.contains("db=\""), "no per-database label in fleet mode");
        assertFalse(large.contains(dir.toString()), "no path in any label");
        ScrapeText t = ScrapeText.of(large);
        for (String family : FAMILIES) {
            assertTrue(t.types().containsKey(family), family + " missing:\n" + large);
        }
        assertEquals(1_000, t.value("litefleet_fleet_discovered_databases").orElseThrow());
        assertEquals(HOT, t.value("litefleet_fleet_databases{tier=\"hot\"}").orElseThrow());
        assertEquals(1_000 - HOT, t.value("litefleet_fleet_databases{tier=\"cold\"}").orElseThrow());
        assertEquals(HOT, t.value("litefleet_fleet_tier_changes_total{change=\"promotion\"}").orElseThrow());
        assertTrue(t.value("litefleet_replication_lag_seconds_count{tier=\"hot\"}").orElseThrow() >= HOT, large);
        assertTrue(t.value("litefleet_replication_lag_seconds_count{tier=\"transient\"}").orElseThrow() >= 2, large);
        assertTrue(t.value("litefleet_fleet_passes_total{kind=\"transient\"}").orElseThrow() >= 2, large);
        assertTrue(t.value("litefleet_fleet_scan_duration_seconds_count").orElseThrow() >= 2, large);
        assertTrue(t.value("litefleet_replica_bytes_total{destination=\"file:///\",direction=\"up\"}")
                .orElseThrow() > 0, large);
    }

    /** The families issue 12 lists (and upstream's that fleet mode fills), by their names in the text. */
    private static final List<String> FAMILIES = List.of(
            "litefleet_fleet_discovered_databases", // databases discovered
            "litefleet_fleet_databases", // hot, cold, deleted, excluded, refused, failed
            "litefleet_fleet_tier_changes_total", // promotions, demotions, evictions
            "litefleet_fleet_scan_duration_seconds", // scan duration
            "litefleet_replication_lag_seconds", // replication lag by tier
            "litefleet_sync_errors_total", // sync errors by kind
            "litefleet_replica_requests_total", // requests by destination, operation, outcome
            "litefleet_replica_bytes_total", // bytes up (and down)
            "litefleet_wal_unshipped_bytes", // WAL bytes not yet shipped
            "litefleet_fleet_passes_total", // transient and settle passes
            "litefleet_fleet_queue_depth", // backlog, settles pending, running
            "litefleet_fleet_captures_total",
            "litestream_sync_count", "litestream_replica_operation_total",
            "litestream_replica_operation_duration_seconds",
            "jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds", "process_cpu_seconds_total");

    /** Runs a fleet of {@code n} databases through discovery, promotions, hot syncs and passes; one scrape. */
    private String fleetScrape(int n) throws Exception {
        Path root = dir.resolve("fleet" + n);
        Path data = Files.createDirectories(root.resolve("data"));
        Path template = root.resolve("template.db");
        try (Connection c = SqliteFiles.open(template)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('first')");
        } // closed last: checkpointed, no -wal left; the header keeps WAL mode, so copies are WAL databases
        for (int i = 0; i < n; i++) {
            Files.copy(template, tenant(data, i));
        }
        Path cfg = Files.writeString(root.resolve("fleet.yml"), """
                addr: 127.0.0.1:0
                state-dir: %s
                multi-db:
                  patterns:
                    - "%s/{tenant}.db"
                  scan-interval: 1m
                  full-scan-interval: 1m
                  max-hot-databases: %d
                  replica-template:
                    type: file
                    path: "%s/{{tenant}}"
                    sync-interval: 1s
                """.formatted(root.resolve("state"), data, HOT, root.resolve("replicas")));
        MutableClock clock = new MutableClock(Instant.parse("2026-12-05T06:00:00Z"));
        String text;
        try (Replication r = Litefleet.builder().config(cfg).clock(clock).manual().start()) {
            r.runUntilIdle(); // discovered, every database captured once
            for (int i = 0; i < HOT; i++) {
                r.promote(tenant(data, i)); // the promotion hint: the hot set is full
            }
            r.runUntilIdle();
            for (int i = 0; i < HOT + 2; i++) {
                write(tenant(data, i), "change " + i); // 3 hot ones, 2 cold ones beyond the cap
            }
            clock.advance(Duration.ofMinutes(1)); // hot syncs due, and the next scan notices the cold changes
            r.runUntilIdle();
            assertEquals(n, r.status().known());
            assertEquals(HOT, r.status().hot(), r.status().toString());
            text = scrape(r.metricsPort().orElseThrow());
        }
        for (int i : new int[] {0, HOT}) { // a hot one and one shipped by a transient pass
            Path db = tenant(data, i);
            BothRestores.assertRestore(root, root.resolve("replicas/t" + i), DbContent.hash(db), db.toString());
        }
        return text;
    }

    private static Path tenant(Path data, int i) {
        return data.resolve("t" + i + ".db");
    }

    private static void write(Path db, String v) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "INSERT INTO t VALUES ('" + v + "')");
        }
    }

    private static Set<String> series(String text) {
        return ScrapeText.of(text).series().stream().filter(s -> !s.startsWith(GC_DEPENDENT))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String scrape(int port) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL()
                .openConnection();
        try (var in = c.getInputStream()) {
            assertEquals(200, c.getResponseCode());
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }
}
