package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.SqliteFiles;
import io.litefleet.testkit.server.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Grafana dashboard ({@code grafana/litefleet.json} of the image) queries only metric names the running
 * image exports: {@code bin/litefleet replicate} with a fleet of 20 databases (hot cap 4, so promotions, demotions and
 * transient passes happen) and one {@code dbs:} entry, {@code addr:} on a free loopback port; {@code /metrics} is
 * scraped until every name the dashboard uses is there, else the test fails listing the missing ones. Then every
 * database is restored (ours and stock) and compared with its source.
 */
class GrafanaDashboardIT {
    @TempDir
    Path dir;

    @Test
    void everyMetricTheDashboardQueries_isExportedByTheRunningImage() throws Exception {
        Path home = Image.litefleet().getParent().getParent();
        Set<String> used = DashboardQueries.metricNames(Files.readString(home.resolve("grafana/litefleet.json")));
        assertTrue(used.contains("litefleet_fleet_databases") && used.size() >= 15, "names read: " + used);

        long seed = Long.getLong("litefleet.seed", new Random().nextLong());
        System.out.println("GrafanaDashboardIT seed=" + seed);
        Random rnd = new Random(seed);
        FleetWorkload fleet = FleetWorkload.create(dir.resolve("data"), 2, 2, 5, rnd);
        Path listed = dir.resolve("listed.db");
        try (Connection c = SqliteFiles.open(listed)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
        }
        int port = ServerProcess.freePort();
        Path log = dir.resolve("litefleet.log");
        LogTail status = new LogTail(log);
        Process daemon = Image.process(List.of(Image.litefleet().toString(), "replicate", "-config",
                config(fleet, listed, port).toString(), "--status-interval", "1s"), Map.of(), log).start();
        Set<String> missing = new TreeSet<>(used);
        try {
            // Written after the first capture, these are changes the tiering policy decides on (8 for a cap of 4).
            Await.until(Duration.ofSeconds(60), () -> "first capture of the fleet: " + status.status(),
                    () -> "20".equals(status.status().get("known")) && "0".equals(status.status().get("backlog"))
                            && "0".equals(status.status().get("running")));
            for (Path db : fleet.databases().subList(0, 8)) {
                FleetWorkload.write(db, rnd);
            }
            FleetWorkload.write(listed, rnd);
            URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
            Await.until(Duration.ofSeconds(60), () -> "the dashboard queries metrics that " + metrics
                    + " does not export: " + missing, () -> {
                        missing.retainAll(missingFrom(metrics, used));
                        return missing.isEmpty();
                    });
            String promotions = "litefleet_fleet_tier_changes_total{change=\"promotion\"} ";
            Await.until(Duration.ofSeconds(60), "the fleet promoted databases (the dashboard's data is real)",
                    () -> scrapeLine(metrics, promotions).filter(v -> Double.parseDouble(v) >= 4).isPresent());
            Await.until(Duration.ofSeconds(60), () -> "every change shipped: " + status.status(),
                    () -> "0".equals(status.status().get("backlog")) && "0".equals(status.status().get("running")));
            assertEquals(0, Image.stop(daemon, Duration.ofSeconds(60)), "SIGTERM exits 0: " + Files.readString(log));
        } finally {
            Image.stop(daemon, Duration.ZERO);
        }
        Map<Path, String> replicas = new LinkedHashMap<>();
        fleet.databases().forEach(db -> replicas.put(db, "file://" + dir.resolve("replica/" + fleet.replicaPath(db))));
        replicas.put(listed, "file://" + dir.resolve("replica/listed"));
        RestoreCheck.assertRestoresEqual(dir, Map.of(), replicas);
    }

    /** The names of {@code used} that a scrape of {@code metrics} lacks (all of them while it does not answer). */
    private static Set<String> missingFrom(URI metrics, Set<String> used) {
        Set<String> missing = new TreeSet<>(used);
        try {
            missing.removeAll(Exposition.names(Exposition.scrape(metrics)));
        } catch (IOException e) {
            return missing; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return missing;
    }

    /** The value of the sample line starting with {@code prefix}, if the endpoint answers and has it. */
    private static java.util.Optional<String> scrapeLine(URI metrics, String prefix) {
        try {
            return Exposition.scrape(metrics).lines().filter(l -> l.startsWith(prefix))
                    .map(l -> l.substring(prefix.length()).trim()).findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    private Path config(FleetWorkload fleet, Path listed, int port) throws IOException {
        return Files.writeString(dir.resolve("litefleet.yml"), """
                addr: 127.0.0.1:%d
                state-dir: %s
                dbs:
                  - path: %s
                    replica:
                      url: file://%s
                multi-db:
                  patterns:
                    - "%s"
                  max-hot-databases: 4
                  hot-idle-timeout: 2s
                  scan-interval: 5s
                  replica-template:
                    type: file
                    path: "%s/{{project}}/{{database}}/{{branch}}/{{tenant}}"
                """.formatted(port, dir.resolve("state"), listed, dir.resolve("replica/listed"), fleet.pattern(),
                dir.resolve("replica")));
    }
}
