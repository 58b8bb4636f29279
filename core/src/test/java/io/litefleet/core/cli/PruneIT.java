package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.Litefleet;
import io.litefleet.core.Replication;
import io.litefleet.core.control.Json;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.MutableClock;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code litefleet prune}, the tenant deletion lifecycle, on a real fleet with file replicas: the fleet records when
 * databases vanish (while it runs, and while it was stopped) and forgets it when one comes back; prune deletes the
 * replicas of those gone longer than the age and nothing else, and what it keeps still restores equal to the source
 * with our restore and stock litestream v0.5.16.
 */
class PruneIT {
    @TempDir
    Path dir;

    private Path tenants;
    private Path replica;
    private Path config;

    private Path db(String name) {
        return tenants.resolve(name + ".db");
    }

    private void write(String name, String value) throws Exception {
        try (Connection c = SqliteFiles.open(db(name))) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE IF NOT EXISTS t(v)",
                    "INSERT INTO t VALUES ('" + value + "')");
        }
    }

    private void delete(String name) throws Exception {
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(Path.of(db(name) + suffix));
        }
    }

    /** The replica's files with their sizes, to prove a replica untouched. */
    private Map<String, Long> files(String name) throws Exception {
        Path root = replica.resolve(name);
        if (!Files.exists(root)) {
            return Map.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).collect(java.util.stream.Collectors.toMap(p -> root.relativize(p)
                    .toString(), p -> p.toFile().length()));
        }
    }

    private Replication fleet(MutableClock clock) throws Exception {
        return Litefleet.builder().config(config).clock(clock).manual().start();
    }

    @Test
    void replicasOfDatabasesGoneLongerThanTheAge_areDeleted_othersUntouched() throws Exception {
        tenants = Files.createDirectories(dir.resolve("data/tenants"));
        replica = dir.resolve("replica");
        config = Files.writeString(dir.resolve("litefleet.yml"), """
                state-dir: %1$s/state
                multi-db:
                  patterns: ["%2$s/*.db"]
                  scan-interval: 1s
                  full-scan-interval: 1s
                  replica-template:
                    type: file
                    path: "%3$s/{{tenant}}"
                """.formatted(dir, tenants, replica));
        for (String t : List.of("t1", "t2", "t3", "t4", "t5")) {
            write(t, t + "-first");
        }
        // The fleet ran 31 days ago: what it records then is old enough for --deleted-for 30d.
        MutableClock clock = new MutableClock(Instant.now().minus(Duration.ofDays(31)));
        try (Replication fleet = fleet(clock)) {
            fleet.runUntilIdle();
            assertEquals(5, fleet.status().known(), fleet.status().toString());
            delete("t1");
            delete("t3");
            delete("t4");
            clock.advance(Duration.ofSeconds(2));
            fleet.runUntilIdle();
            assertEquals(3, fleet.status().deleted(), fleet.status().toString());
            write("t4", "t4-again"); // back while the fleet runs: no longer deleted
            clock.advance(Duration.ofSeconds(2));
            fleet.runUntilIdle();
            assertEquals(2, fleet.status().deleted(), fleet.status().toString());
        }
        delete("t5"); // gone while no fleet ran: the next start records it
        clock.advance(Duration.ofSeconds(2));
        try (Replication fleet = fleet(clock)) {
            fleet.runUntilIdle();
        }
        write("t3", "t3-again"); // back, but no fleet has seen it: the catalog still says deleted
        CliRun deleted = CliRun.of("databases", "-config", config.toString(), "--state", "deleted", "--json");
        assertEquals(0, deleted.code(), deleted.err());
        for (String t : List.of("t1", "t3", "t5")) {
            assertTrue(deleted.out().contains(db(t) + "\""), t + " recorded deleted: " + deleted.out());
        }
        assertFalse(deleted.out().contains(db("t4") + "\""), "t4 came back: " + deleted.out());
        Map<String, Map<String, Long>> before = new java.util.HashMap<>();
        for (String t : List.of("t1", "t2", "t3", "t4", "t5")) {
            before.put(t, files(t));
            assertFalse(before.get(t).isEmpty(), t + " replicated");
        }

        CliRun young = CliRun.of("prune", "-config", config.toString(), "--deleted-for", "40d");
        assertEquals(0, young.code(), young.err());
        assertTrue(young.out().contains("0 database(s) gone for more than 40d"), young.out());

        CliRun dry = CliRun.of("prune", "-config", config.toString(), "--deleted-for", "30d", "--dry-run", "--json");
        assertEquals(0, dry.code(), dry.err());
        Map<String, Object> plan = Json.parseObject(dry.out());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> listed = (List<Map<String, Object>>) plan.get("databases");
        assertEquals(List.of(db("t1").toString(), db("t3").toString(), db("t5").toString()),
                listed.stream().map(m -> (String) m.get("path")).sorted().toList(), dry.out());
        assertTrue(dry.out().contains("\"status\": \"would delete\"") && dry.out().contains("\"status\": \"kept: "
                + "the database exists again\""), dry.out());
        for (String t : List.of("t1", "t2", "t3", "t4", "t5")) {
            assertEquals(before.get(t), files(t), "dry run deletes nothing: " + t);
        }

        // Cluster mode: a database gone from this host may live on another instance's host; prune deletes nothing.
        Path clustered = Files.writeString(dir.resolve("litefleet-cluster.yml"), Files.readString(config) + """
                cluster:
                  type: etcd
                  endpoints: ["http://127.0.0.1:9"]
                """);
        CliRun inCluster = CliRun.of("prune", "-config", clustered.toString(), "--deleted-for", "30d");
        assertEquals(0, inCluster.code(), inCluster.err() + inCluster.out());
        assertTrue(inCluster.out().contains("not deleted: in cluster mode"), inCluster.out());
        for (String t : List.of("t1", "t2", "t3", "t4", "t5")) {
            assertEquals(before.get(t), files(t), "prune in cluster mode deletes nothing: " + t);
        }

        try (Replication running = fleet(clock)) {
            CliRun refused = CliRun.of("prune", "-config", config.toString(), "--deleted-for", "30d");
            assertEquals(1, refused.code(), refused.out());
            assertTrue(refused.err().contains("prune needs the state directory to itself"), refused.err());
        }
        for (String t : List.of("t1", "t5")) {
            assertEquals(before.get(t), files(t), "refused prune deletes nothing: " + t);
        }

        CliRun prune = CliRun.of("prune", "-config", config.toString(), "--deleted-for", "30d");
        assertEquals(0, prune.code(), prune.err() + prune.out());
        assertEquals(Map.of(), files("t1"), prune.out());
        assertEquals(Map.of(), files("t5"), prune.out());
        for (String t : List.of("t2", "t3", "t4")) {
            assertEquals(before.get(t), files(t), t + " untouched: " + prune.out());
        }
        CliRun after = CliRun.of("databases", "-config", config.toString(), "--catalog", "--json");
        assertFalse(after.out().contains(db("t1") + "\"") || after.out().contains(db("t5") + "\""),
                "forgotten: " + after.out());
        assertTrue(after.out().contains(db("t3") + "\""), "kept while it exists: " + after.out());

        restoresEqual("t2", db("t2"));
    }

    /** Our restore and stock litestream v0.5.16 both rebuild {@code source} from its replica. */
    private void restoresEqual(String name, Path source) throws Exception {
        String url = replica.resolve(name).toUri().toString();
        Path ours = dir.resolve("restored-ours-" + name + ".db");
        CliRun r = CliRun.of("restore", "-o", ours.toString(), url);
        assertEquals(0, r.code(), r.err());
        assertEquals(DbContent.hash(source), DbContent.hash(ours), "our restore of " + name);
        assertEquals("ok", DbContent.integrityCheck(ours));
        Path stock = dir.resolve("restored-stock-" + name + ".db");
        var res = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(), "restore",
                "-o", stock.toString(), url));
        assertEquals(0, res.exitCode(), res.stderr());
        assertEquals(DbContent.hash(source), DbContent.hash(stock), "stock restore of " + name);
        assertEquals("ok", DbContent.integrityCheck(stock));
    }

    @Test
    void badArguments_getClearErrors() throws Exception {
        Path c = Files.writeString(dir.resolve("c.yml"), "state-dir: " + dir.resolve("state") + "\ndbs:\n"
                + "  - path: " + dir.resolve("a.db") + "\n    replica: {url: file://" + dir.resolve("r") + "}\n");
        CliRun bad = CliRun.of("prune", "-config", c.toString(), "--deleted-for", "soon");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--deleted-for") && bad.err().contains("'soon'"), bad.err());
        CliRun missing = CliRun.of("prune", "-config", c.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("--deleted-for"), missing.err());
        CliRun noCatalog = CliRun.of("prune", "-config", c.toString(), "--deleted-for", "30d");
        assertEquals(1, noCatalog.code());
        assertTrue(noCatalog.err().contains(dir.resolve("state") + ": no catalog here"), noCatalog.err());
    }
}
