package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.metric.ScrapeText;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code addr:} serves upstream's {@code litestream_*} metrics (and ours) from a running {@code litefleet replicate}:
 * per database for {@code dbs:}, added up without a {@code db} label in fleet mode. Scraped over HTTP from a second
 * JVM, as Prometheus would.
 */
class MetricsIT {
    /** Upstream v0.5.16's families (db.go, internal/internal.go) and their types. */
    static final Map<String, String> UPSTREAM = Map.ofEntries(Map.entry("litestream_db_size", "gauge"),
            Map.entry("litestream_wal_size", "gauge"), Map.entry("litestream_total_wal_bytes", "counter"),
            Map.entry("litestream_txid", "gauge"), Map.entry("litestream_sync_count", "counter"),
            Map.entry("litestream_sync_error_count", "counter"), Map.entry("litestream_sync_seconds", "counter"),
            Map.entry("litestream_disk_full", "gauge"), Map.entry("litestream_checkpoint_count", "counter"),
            Map.entry("litestream_checkpoint_error_count", "counter"),
            Map.entry("litestream_checkpoint_seconds", "counter"),
            Map.entry("litestream_compaction_verify_error_count", "counter"),
            Map.entry("litestream_replica_operation_total", "counter"),
            Map.entry("litestream_replica_operation_bytes", "counter"),
            Map.entry("litestream_replica_operation_duration_seconds", "histogram"),
            Map.entry("litestream_replica_operation_errors_total", "counter"),
            Map.entry("litestream_l0_retention_files_total", "gauge"));

    /**
     * The type we write for upstream's {@code family}: upstream's, except for counters whose names do not end in
     * {@code _total}, which the Prometheus client would rename to {@code x_total}: they keep upstream's name, untyped.
     */
    static String written(String family) {
        String type = UPSTREAM.get(family);
        return type.equals("counter") && !family.endsWith("_total") ? "untyped" : type;
    }

    @TempDir
    Path dir;

    @Test
    void dbsMode_servesUpstreamNamesPerDatabase_txidAdvances_badAddrNamed() throws Exception {
        Path db = db("app");
        Path replica = dir.resolve("replica");
        int port = freePort();
        Path config = dir.resolve("litefleet.yml");
        Files.writeString(config, """
                addr: 127.0.0.1:%d
                sync-interval: 100ms
                state-dir: %s
                dbs:
                  - path: %s
                    replica:
                      type: file
                      path: %s
                """.formatted(port, dir.resolve("state"), db, replica));
        Path log = dir.resolve("replicate.log");
        Process p = Daemon.start(log, "replicate", "-config", config.toString());
        try {
            String label = "{db=\"" + db + "\"}";
            Await.until(Duration.ofSeconds(60), () -> "first sync served:\n" + read(log),
                    () -> value(scrapeQuietly(port), "litestream_txid" + label).orElse(0) >= 1);
            String first = scrape(port);
            for (String family : UPSTREAM.keySet()) {
                assertEquals(written(family), ScrapeText.of(first).types().get(family), family + "\n" + first);
            }
            long txid = (long) value(first, "litestream_txid" + label).orElseThrow();
            double size = value(first, "litestream_db_size" + label).orElseThrow();
            assertTrue(size >= 4096 && size % 4096 == 0, "whole pages: " + size);
            assertTrue(value(first, "litestream_sync_count" + label).orElseThrow() >= 1);
            assertEquals(0, value(first, "litestream_sync_error_count" + label).orElseThrow());
            assertTrue(value(first, "litestream_replica_operation_total{replica_type=\"file\",operation=\"PUT\"}")
                    .orElseThrow() >= 1, first);
            assertTrue(value(first, "litestream_replica_operation_bytes{replica_type=\"file\",operation=\"PUT\"}")
                    .orElseThrow() > 0, first);
            assertTrue(value(first, "litefleet_replica_requests_total{destination=\"file:///\",operation=\"put\","
                    + "outcome=\"ok\"}").orElseThrow() >= 1, first);
            // Every code is written, zeros included (upstream's vector shows a code once it happened): nothing failed.
            assertEquals(0, value(first, "litestream_replica_operation_errors_total{replica_type=\"file\","
                    + "operation=\"PUT\",code=\"unavailable\"}").orElseThrow(), first);

            write(db, "after the first scrape");
            Await.until(Duration.ofSeconds(60), () -> "TXID advances past " + txid + ":\n" + scrapeQuietly(port),
                    () -> value(scrapeQuietly(port), "litestream_txid" + label).orElse(0) > txid);
            String second = scrape(port);
            assertTrue(value(second, "litestream_total_wal_bytes" + label).orElseThrow()
                    > value(first, "litestream_total_wal_bytes" + label).orElseThrow(), second);
            assertEquals(value(second, "litestream_txid" + label), value(second,
                    "litefleet_replica_txid{db=\"" + db + "\",replica=\"file\"}"));
            assertEquals(404, get(port, "/x").getResponseCode());

            // A second process on the same addr: refused, naming the file, line and key.
            Path other = dir.resolve("other.yml");
            Files.writeString(other, "addr: 127.0.0.1:%d\nstate-dir: %s\ndbs:\n  - path: %s\n    replica: {path: %s}\n"
                    .formatted(port, dir.resolve("state2"), db("other"), dir.resolve("replica-other")));
            Path otherLog = dir.resolve("other.log");
            Process q = Daemon.start(otherLog, "replicate", "-config", other.toString());
            try {
                assertTrue(q.waitFor(60, TimeUnit.SECONDS));
                assertNotEquals(0, q.exitValue());
            } finally {
                PeerProcess.kill(q);
            }
            String out = read(otherLog);
            assertTrue(out.contains(other + ": key 'addr' (line 1): cannot listen on 127.0.0.1:" + port), out);
            assertFalse(out.contains("\tat "), "no stack trace: " + out);

            write(db, "last");
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), read(log));
        } finally {
            PeerProcess.kill(p);
        }
        BothRestores.assertRestore(dir, fileTarget(replica), replica, 0, DbContent.hash(db), "dbs: replica");
    }

    @Test
    void fleetMode_addsDatabasesUp_withoutPerDatabaseSeries() throws Exception {
        Path data = dir.resolve("data");
        Path a = db("data/t1");
        Path b = db("data/t2");
        Path replicas = dir.resolve("replicas");
        int port = freePort();
        Path config = dir.resolve("fleet.yml");
        Files.writeString(config, """
                addr: '127.0.0.1:%d'
                state-dir: %s
                multi-db:
                  enabled: true
                  patterns:
                    - "%s/{tenant}.db"
                  scan-interval: 1s
                  replica-template:
                    type: file
                    path: "%s/{{tenant}}"
                    sync-interval: 100ms
                """.formatted(port, dir.resolve("state"), data, replicas));
        Path log = dir.resolve("fleet.log");
        Process p = Daemon.start(log, "replicate", "-config", config.toString());
        try {
            Await.until(Duration.ofSeconds(60), () -> "both databases shipped:\n" + read(log), () ->
                    Files.isDirectory(replicas.resolve("t1/ltx/0")) && Files.isDirectory(replicas.resolve("t2/ltx/0")));
            write(a, "more a");
            write(b, "more b");
            Await.until(Duration.ofSeconds(60), () -> "fleet syncs counted:\n" + scrapeQuietly(port),
                    () -> value(scrapeQuietly(port), "litestream_sync_count").orElse(0) >= 2);
            String text = scrape(port);
            assertFalse(text.contains("db=\""), "no series per database in fleet mode:\n" + text);
            assertFalse(text.contains(data.toString()), "no database path in any label:\n" + text);
            assertEquals(2, value(text, "litefleet_fleet_databases{tier=\"hot\"}").orElseThrow()
                    + value(text, "litefleet_fleet_databases{tier=\"cold\"}").orElseThrow(), text);
            assertTrue(value(text, "litestream_replica_operation_total{replica_type=\"file\",operation=\"PUT\"}")
                    .orElseThrow() >= 2, text);
            for (String family : List.of("litestream_sync_count", "litestream_sync_seconds",
                    "litestream_total_wal_bytes", "litestream_checkpoint_count")) {
                assertTrue(text.contains("# TYPE " + family + " untyped\n"), family + "\n" + text);
            }
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), read(log));
        } finally {
            PeerProcess.kill(p);
        }
        for (Path db : List.of(a, b)) {
            String tenant = db.getFileName().toString().replace(".db", "");
            BothRestores.assertRestore(dir, fileTarget(replicas.resolve(tenant)), replicas.resolve(tenant), 0,
                    DbContent.hash(db), "fleet database " + tenant);
        }
    }

    /** The value of {@code series} (name and labels, in any order), if present. */
    static OptionalDouble value(String text, String series) {
        return ScrapeText.value(text, series);
    }

    private static HttpURLConnection get(int port, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                .openConnection();
        c.setConnectTimeout(2_000);
        c.setReadTimeout(10_000);
        return c;
    }

    private static String scrape(int port) throws IOException {
        HttpURLConnection c = get(port, "/metrics");
        try {
            assertEquals(200, c.getResponseCode());
            assertTrue(c.getContentType().startsWith("text/plain; version=0.0.4"), c.getContentType());
            try (var in = c.getInputStream()) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        } finally {
            c.disconnect();
        }
    }

    /** A scrape, or empty text while the process is still starting. */
    private static String scrapeQuietly(int port) {
        try {
            return scrape(port);
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static ReplicaTarget fileTarget(Path replica) throws Exception {
        return new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test", Map.of("root",
                replica.toString()))), ReplicaLayout.LTX_DIRS, "");
    }

    private Path db(String name) throws Exception {
        Path p = dir.resolve(name + ".db");
        Files.createDirectories(p.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + p); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t(v TEXT)");
            s.execute("INSERT INTO t VALUES ('first')");
        }
        return p;
    }

    private static void write(Path db, String v) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO t VALUES ('" + v + "')");
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
