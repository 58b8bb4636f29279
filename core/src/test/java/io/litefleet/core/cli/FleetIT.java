package io.litefleet.core.cli;

import io.litefleet.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.YamlLoader;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.Litefleet;
import io.litefleet.core.Replication;
import io.litefleet.core.ReplicationStatus;
import io.litefleet.testkit.MutableClock;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.LogCapture;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's fleet test: 1,000 databases in the design's layout, writers on 5% of them moving around,
 * max-hot-databases 50. Every written database ends up restorable and equal to its source (our restore for all,
 * stock litestream for a sample); promotions, demotions and evictions happen; a deleted database stops, a
 * recreated one is captured anew.
 */
class FleetIT {
    private static final int PROJECTS = 5;
    private static final int DATABASES = 4;
    private static final int BRANCHES = 2;
    private static final int TENANTS = 25;

    @TempDir
    Path dir;

    @Test
    void thousandDatabases_movingWriters_everyWrittenDatabaseRestoresEqual() throws Exception {
        long seed = Long.getLong("litefleet.seed", new Random().nextLong());
        System.out.println("FleetIT seed=" + seed);
        Random rnd = new Random(seed);
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data);
        Path replica = dir.resolve("replica");
        LitefleetConfig config = config(data, replica, "{{project}}/{{database}}/{{branch}}/{{tenant}}");
        Set<Path> written = new LinkedHashSet<>();
        // Driven by a clock the test moves: scans (2 s), syncs (200 ms), idle demotion (3 s) take no wall time.
        MutableClock clock = new MutableClock(Instant.now());
        Duration scan = Duration.ofSeconds(2);
        withManualFleet(config, clock, fleet -> {
            fleet.runUntilIdle();
            ReplicationStatus first = fleet.status();
            assertTrue(first.known() == dbs.size() && first.backlog() == 0
                    && first.transients() + first.promotions() >= dbs.size(), "initial capture: " + first);
            for (int round = 0; round < 6; round++) {
                List<Path> active = new ArrayList<>();
                for (int i = 0; i < dbs.size() / 20; i++) {
                    active.add(dbs.get(rnd.nextInt(dbs.size())));
                }
                ReplicationStatus start = fleet.status();
                long before = start.promotions() + start.transients();
                for (int k = 0; k < 3; k++) {
                    for (Path db : active) {
                        write(db, rnd);
                        written.add(db);
                    }
                }
                advance(fleet, clock, scan);
                // Each change is acted on: a promotion, or a transient pass when the database is busy or the hot
                // set is full of more recently active databases.
                ReplicationStatus after = fleet.status();
                assertTrue(after.promotions() + after.transients() > before, "changes acted on: " + after);
            }
            Path gone = dbs.get(0);
            deleteDb(gone);
            written.remove(gone);
            advance(fleet, clock, scan);
            assertTrue(fleet.status().deleted() >= 1, "deletion noticed: " + fleet.status());
            Path recreated = dbs.get(1);
            deleteDb(recreated);
            try (Connection c = SqliteFiles.open(recreated)) {
                SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE fresh(x)",
                        "INSERT INTO fresh VALUES ('recreated')");
            }
            written.add(recreated);
            for (int i = 0; i < 3; i++) {
                advance(fleet, clock, scan); // idle hot databases are demoted past the 3 s timeout
            }
            ReplicationStatus s = fleet.status();
            System.out.println("FleetIT status: " + s);
            assertTrue(s.evictions() > 0 && s.demotions() > 0, "evictions and demotions: " + s);
            assertTrue(s.hot() <= 50, "the hot set respects the cap: " + s);
            assertTrue(s.promotions() > 50, "promotions happened: " + s);
            assertAllEqual(written, data, replica);
        });
        assertAllEqual(written, data, replica);
        stockRestoreSample(written, data, replica, rnd);
    }

    @Test
    void templateCollision_excludesTheCollidingDatabasesAndRunsTheRest() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 3);
        Path replica = dir.resolve("replica");
        // Without {{tenant}} every tenant of a branch would share one replica path.
        LitefleetConfig config = config(data, replica, "{{project}}/{{database}}/{{branch}}");
        Path other = data.resolve("q0/databases/d0/branches/b0/tenants/t0.db");
        Files.createDirectories(other.getParent());
        try (Connection c = SqliteFiles.open(other)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(x)", "INSERT INTO t VALUES (1)");
        }
        withFleet(config, fleet -> awaitStatus(fleet, s -> s.notReplicated() == dbs.size()
                && s.hot() + s.transients() >= 1, Duration.ofSeconds(30), "colliding databases excluded"));
        assertTrue(Files.exists(replica.resolve("q0/d0/b0/ltx/0")), "the non-colliding database replicated");
        assertTrue(!Files.exists(replica.resolve("p0/d0/b0/ltx")), "nothing written for the colliding ones");
    }

    @Test
    void collision_oneMemberDeleted_theSurvivorReplicates() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 2);
        Path replica = dir.resolve("replica");
        LitefleetConfig config = config(data, replica, "{{project}}/{{database}}/{{branch}}");
        withFleet(config, fleet -> {
            awaitStatus(fleet, s -> s.notReplicated() == 2, Duration.ofSeconds(30), "both colliding excluded");
            assertTrue(!Files.exists(replica.resolve("p0/d0/b0/ltx")), "nothing written while they collide");
            deleteDb(dbs.get(0));
            awaitStatus(fleet, s -> s.deleted() == 1 && s.notReplicated() == 0, Duration.ofSeconds(30),
                    "the survivor released");
            Path survivor = dbs.get(1);
            awaitRestoresEqual(survivor, replica.resolve("p0/d0/b0"), Duration.ofSeconds(30));
        });
    }

    @Test
    void badDatabases_areRefusedAlone_andANonWalOneIsReplicatedOnceFixed() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 2);
        Path tenants = dbs.get(0).getParent();
        // "..db" gives {{tenant}} the value "." (unusable in a replica path); "rollback.db" is not in WAL mode.
        Path dots = tenants.resolve("..db");
        Path rollback = tenants.resolve("rollback.db");
        for (Path p : List.of(dots, rollback)) {
            try (Connection c = SqliteFiles.open(p)) {
                SqliteFiles.exec(c, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t(v) VALUES ('x')");
            }
        }
        Path replica = dir.resolve("replica");
        LitefleetConfig config = config(data, replica, "{{project}}/{{database}}/{{branch}}/{{tenant}}");
        withFleet(config, fleet -> {
            awaitStatus(fleet, s -> s.known() == 4 && s.notReplicated() == 2, Duration.ofSeconds(30),
                    "the two bad databases refused");
            for (Path db : dbs) {
                awaitRestoresEqual(db, replica.resolve("p0/d0/b0/" + tenantOf(db)),
                        Duration.ofSeconds(30));
            }
            try (Connection c = SqliteFiles.open(rollback)) {
                SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "INSERT INTO t(v) VALUES ('now in WAL mode')");
            }
            awaitRestoresEqual(rollback, replica.resolve("p0/d0/b0/rollback"), Duration.ofSeconds(30));
            awaitStatus(fleet, s -> s.notReplicated() == 1, Duration.ofSeconds(10), "only '..db' still refused");
        });
    }

    @Test
    void demotedThenPromoted_continuesWhenProvable_capturesOtherwise_andColdReplicasSettle() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 2);
        Path replica = dir.resolve("replica");
        LitefleetConfig config = config(data, replica, "{{project}}/{{database}}/{{branch}}/{{tenant}}",
                "  cold-snapshot-interval: 2s\n");
        Path db = dbs.get(0);
        Path target = replica.resolve("p0/d0/b0/t0");
        Path snapshots = replica.resolve("p0/d0/b0/t0/ltx/9");
        MutableClock clock = new MutableClock(Instant.now());
        Duration scan = Duration.ofSeconds(2);
        // The application keeps its connection: its WAL stays, so our position in it stays provable.
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0");
            withManualFleet(config, clock, fleet -> {
                fleet.runUntilIdle();
                assertTrue(fleet.status().known() == 2 && fleet.status().transients() >= 2, "initial capture");
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('promote me')");
                advance(fleet, clock, scan);
                assertEquals(1, fleet.status().promotions(), "promotion: " + fleet.status());
                advance(fleet, clock, Duration.ofSeconds(4)); // idle past the 3 s timeout
                assertTrue(fleet.status().demotions() == 1 && fleet.status().hot() == 0, "demotion: "
                        + fleet.status());
                long capturesBefore = fleet.status().captures();
                advance(fleet, clock, Duration.ofSeconds(3)); // the settle interval (cold-snapshot-interval 2 s)
                assertTrue(fleet.status().settles() >= 1, "cold replica settled: " + fleet.status());
                assertTrue(listing(snapshots).size() >= 1, "a cold snapshot: " + listing(snapshots));

                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('promote me again')");
                advance(fleet, clock, scan);
                assertEquals(2, fleet.status().promotions(), "second promotion: " + fleet.status());
                awaitRestoresEqual(db, target, Duration.ZERO);
                assertEquals(capturesBefore, fleet.status().captures(),
                        "the WAL proves continuity: promoted again without a capture: " + fleet.status());
            });
            // While nobody watches, a commit is checkpointed into the database file and the WAL restarts: no WAL
            // we can read holds that commit, so the next open (the same path a promotion takes) must capture.
            SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('unseen')", "PRAGMA wal_checkpoint(TRUNCATE)",
                    "INSERT INTO t(v) VALUES ('after restart')");
            withManualFleet(config, clock, fleet -> {
                fleet.runUntilIdle();
                assertTrue(fleet.status().captures() == 1 && fleet.status().transients()
                        + fleet.status().promotions() >= 1, "a capture for the unprovable WAL restart: "
                        + fleet.status());
                awaitRestoresEqual(db, target, Duration.ZERO);
            });
        }
        awaitRestoresEqual(db, target, Duration.ZERO);
        stockRestoreEquals(db, replica.resolve("p0/d0/b0/t0"));
    }

    @Test
    void pageSizeChanged_whileColdAndWhileStopped_startsNewChainsThatBothToolsRestore() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 2);
        Path replica = dir.resolve("replica");
        LitefleetConfig config = config(data, replica, "{{project}}/{{database}}/{{branch}}/{{tenant}}");
        withFleet(config, fleet -> {
            awaitStatus(fleet, s -> s.known() == 2 && s.transients() >= 2 && s.running() == 0,
                    Duration.ofSeconds(30), "initial capture");
            changePageSize(dbs.get(0), 16384);
            awaitStatus(fleet, s -> s.captures() >= 1, Duration.ofSeconds(20), "a capture of the new page size");
            awaitRestoresEqual(dbs.get(0), replica.resolve("p0/d0/b0/t0"), Duration.ofSeconds(20));
            write(dbs.get(0), new Random(5));
            awaitRestoresEqual(dbs.get(0), replica.resolve("p0/d0/b0/t0"), Duration.ofSeconds(20));
        });
        changePageSize(dbs.get(1), 1024);
        withFleet(config, fleet -> {
            awaitStatus(fleet, s -> s.captures() >= 1 && s.running() == 0, Duration.ofSeconds(20),
                    "a capture of the database changed while stopped");
            awaitRestoresEqual(dbs.get(1), replica.resolve("p0/d0/b0/t1"), Duration.ofSeconds(20));
        });
        for (int i = 0; i < 2; i++) {
            assertEquals(1, listing(replica.resolve("p0/d0/b0/t" + i + "/ltx/9")).size(),
                    "the new chain's snapshot of t" + i);
            stockRestoreEquals(dbs.get(i), replica.resolve("p0/d0/b0/t" + i));
        }
    }

    /** What an application does to change the page size: leave WAL mode, set it, VACUUM, return to WAL, write. */
    private static void changePageSize(Path db, int pageSize) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA busy_timeout=5000", "PRAGMA journal_mode=DELETE",
                    "PRAGMA page_size=" + pageSize, "VACUUM", "PRAGMA journal_mode=WAL",
                    "INSERT INTO t(v) VALUES ('page size " + pageSize + "')");
            assertEquals(String.valueOf(pageSize), SqliteFiles.queryString(c, "PRAGMA page_size"));
        }
    }

    @Test
    void fleetDatabaseOverlappingADbsReplica_isNeverReplicated_evenAfterItIsDeletedAndComesBack() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 2);
        Path replica = dir.resolve("replica");
        Path other = dir.resolve("other.db");
        try (Connection c = SqliteFiles.open(other)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES (1)");
        }
        Path taken = replica.resolve("p0/d0/b0/t0"); // where the template puts t0
        String yaml = """
                dbs:
                  - path: %s
                    replica: {type: file, path: %s}
                multi-db:
                  enabled: true
                  patterns:
                    - "%s/*/databases/*/branches/*/tenants/*.db"
                  scan-interval: 1s
                  full-scan-interval: 1s
                  replica-template:
                    type: file
                    path: "%s/{{project}}/{{database}}/{{branch}}/{{tenant}}"
                    sync-interval: 200ms
                state-dir: %s
                """.formatted(other, taken, data, replica, dir.resolve("state"));
        LitefleetConfig config = parse("overlap.yml", yaml);
        withFleet(config, fleet -> {
            awaitStatus(fleet, s -> s.notReplicated() == 1 && s.transients() >= 1 && s.running() == 0,
                    Duration.ofSeconds(30), "t0 excluded, t1 captured");
            assertTrue(Files.isDirectory(replica.resolve("p0/d0/b0/t1/ltx")), "t1 replicates");
            deleteDb(dbs.get(0));
            awaitStatus(fleet, s -> s.deleted() == 1, Duration.ofSeconds(20), "t0 deleted");
            try (Connection c = SqliteFiles.open(dbs.get(0))) {
                SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                        "INSERT INTO t(v) VALUES ('back')");
            }
            long scans = fleet.status().scans();
            awaitStatus(fleet, s -> s.deleted() == 0 && s.scans() >= scans + 2 && s.running() == 0
                    && s.backlog() == 0, Duration.ofSeconds(30), "t0 seen again");
            // The replica is other.db's alone: it restores to other.db, never to t0.
            awaitRestoresEqual(other, taken, Duration.ofSeconds(20));
        });
        awaitRestoresEqual(other, taken, Duration.ZERO);
        stockRestoreEquals(other, taken);
    }

    @Test
    void severalReplicaTemplates_everyDatabaseReachesEveryDestination_andRestoreChooses() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 3);
        Path a = dir.resolve("rep-a");
        Path b = dir.resolve("rep-b");
        LitefleetConfig config = parse("two.yml", """
                multi-db:
                  enabled: true
                  patterns:
                    - "%s/*/databases/*/branches/*/tenants/*.db"
                  max-hot-databases: 2
                  scan-interval: 2s
                  full-scan-interval: 2s
                  hot-idle-timeout: 3s
                  replica-template:
                    - {name: primary, type: file, path: "%s/{{project}}/{{database}}/{{branch}}/{{tenant}}"}
                    - {name: copy, type: file, path: "%s/{{tenant}}", sync-interval: 1s}
                state-dir: %s
                """.formatted(data, a, b, dir.resolve("state")));
        MutableClock clock = new MutableClock(Instant.now());
        Random rnd = new Random(11);
        withManualFleet(config, clock, fleet -> {
            fleet.runUntilIdle();
            for (int round = 0; round < 3; round++) {
                for (Path db : dbs) {
                    write(db, rnd);
                }
                advance(fleet, clock, Duration.ofSeconds(2));
            }
            advance(fleet, clock, Duration.ofSeconds(5)); // idle: demoted, final syncs to both
            ReplicationStatus s = fleet.status();
            assertTrue(s.promotions() >= 2 && s.demotions() >= 2, "hot and cold with both destinations: " + s);
        });
        for (Path db : dbs) {
            String tenant = tenantOf(db);
            awaitRestoresEqual(db, a.resolve("p0/d0/b0/" + tenant), Duration.ZERO);
            awaitRestoresEqual(db, b.resolve(tenant), Duration.ZERO);
        }
        stockRestoreEquals(dbs.get(0), a.resolve("p0/d0/b0/t0"));
        stockRestoreEquals(dbs.get(0), b.resolve("t0"));
        try (Catalog catalog = Catalog.open(dir.resolve("state"))) {
            assertEquals(2, catalog.all().stream().filter(p -> p.dbPath().equals(dbs.get(0).toString())).count(),
                    "one position per destination");
        }
        Path out = dir.resolve("from-copy.db");
        CliRun r = CliRun.of("restore", "-config", config.file().toString(), "-replica", "copy", "-o", out.toString(),
                dbs.get(1).toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(DbContent.hash(dbs.get(1)), DbContent.hash(out));
    }

    @Test
    void unsettledAtStop_isSettledByTheNextRun() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 1);
        Path replica = dir.resolve("replica");
        String template = "{{project}}/{{database}}/{{branch}}/{{tenant}}";
        Path db = dbs.get(0);
        Path snapshots = replica.resolve("p0/d0/b0/t0/ltx/9");
        MutableClock clock = new MutableClock(Instant.now());
        // First run: settling is an hour away, so the database stops hot (or demoted) with its levels behind.
        withManualFleet(config(data, replica, template, "  cold-snapshot-interval: 1h\n"), clock, fleet -> {
            fleet.runUntilIdle();
            assertTrue(fleet.status().transients() >= 1 && fleet.status().running() == 0, "capture");
            write(db, new Random(1));
            advance(fleet, clock, Duration.ofSeconds(2));
            assertEquals(1, fleet.status().promotions(), "promotion: " + fleet.status());
            awaitRestoresEqual(db, replica.resolve("p0/d0/b0/t0"), Duration.ZERO);
        });
        assertEquals(List.of(), listing(snapshots), "no snapshot yet");
        try (Catalog catalog = Catalog.open(dir.resolve("state"))) {
            assertEquals(List.of(db.toString()), catalog.unsettled(), "the catalog remembers it is unsettled");
        }
        // Second run: nothing changed, yet the replica left behind is settled.
        withManualFleet(config(data, replica, template, "  cold-snapshot-interval: 2s\n"), clock, fleet -> {
            fleet.runUntilIdle();
            advance(fleet, clock, Duration.ofSeconds(3));
            assertTrue(fleet.status().settles() >= 1, "settled after the restart: " + fleet.status());
            assertEquals(0, fleet.status().captures(), "nothing re-captured: " + fleet.status());
        });
        assertEquals(1, listing(snapshots).size(), "a snapshot: " + listing(snapshots));
        awaitRestoresEqual(db, replica.resolve("p0/d0/b0/t0"), Duration.ZERO);
        stockRestoreEquals(db, replica.resolve("p0/d0/b0/t0"));
    }

    /**
     * The design's goal of 0 requests per idle database per day, on the injected clock: once the fleet has settled
     * (status: nothing hot, queued, running or left to settle), a day of scans, settle intervals and retention checks
     * sends no request at all, counted by the client of the destination; one write then does (so the count could
     * have moved).
     */
    @Test
    void idleFleet_onceSettled_sendsNoRequestForADay() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 20);
        Path replica = dir.resolve("replica");
        MutableClock clock = new MutableClock(Instant.now());
        Random rnd = new Random(5);
        withManualFleet(config(data, replica, "{{project}}/{{database}}/{{branch}}/{{tenant}}",
                "  cold-snapshot-interval: 2s\n"), clock, fleet -> {
            fleet.runUntilIdle();
            for (int round = 0; round < 5; round++) {
                for (Path db : dbs.subList(0, 8)) {
                    write(db, rnd);
                }
                advance(fleet, clock, Duration.ofSeconds(2));
            }
            assertTrue(fleet.status().hot() == 8, "written and promoted: " + fleet.status());
            advance(fleet, clock, Duration.ofSeconds(4)); // idle past the 3 s timeout
            assertTrue(fleet.status().demotions() == 8 && fleet.status().settlesPending() > 0,
                    "demoted, with settles to come (L0 files expire in 5 min): " + fleet.status());
            // Retention's last deadline is the first snapshots' expiry, a day after they were taken.
            advanceBy(fleet, clock, Duration.ofHours(25), Duration.ofMinutes(1));
            ReplicationStatus settled = fleet.status();
            assertTrue(settled.hot() == 0 && settled.backlog() == 0 && settled.running() == 0
                    && settled.settlesPending() == 0, "settled: " + settled);
            long before = fleet.requests().getFirst().total();
            advanceBy(fleet, clock, Duration.ofDays(1), Duration.ofMinutes(1));
            assertEquals(before, fleet.requests().getFirst().total(), "an idle day: "
                    + fleet.requests().getFirst().summary());
            assertEquals(0, fleet.status().settlesPending(), fleet.status().toString());
            write(dbs.get(19), rnd);
            advance(fleet, clock, Duration.ofSeconds(2));
            assertTrue(fleet.requests().getFirst().total() > before, "a write is shipped, and counted");
        });
        for (Path db : dbs) {
            awaitRestoresEqual(db, replica.resolve("p0/d0/b0/" + tenantOf(db)), Duration.ZERO);
        }
        stockRestoreEquals(dbs.get(0), replica.resolve("p0/d0/b0/t0"));
        stockRestoreEquals(dbs.get(19), replica.resolve("p0/d0/b0/t19"));
    }

    @Test
    void databaseListedUnderDbs_isLeftToItsOwnReplica_andTheFleetRunsTheRest() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 3);
        Path listed = dbs.get(0);
        Path own = dir.resolve("own-replica");
        Path replica = dir.resolve("replica");
        LitefleetConfig config = dbsAndFleet(listed, own, data, replica);
        withFleet(config, fleet -> {
            awaitStatus(fleet, s -> s.known() == 2 && s.transients() >= 2 && s.running() == 0,
                    Duration.ofSeconds(30), "the two other databases captured");
            write(listed, new Random(3));
            write(dbs.get(1), new Random(4));
            awaitRestoresEqual(dbs.get(1), replica.resolve("p0/d0/b0/t1"), Duration.ofSeconds(20));
            assertEquals(2, fleet.status().known(), "the listed database is not part of the fleet: " + fleet.status());
        });
        assertTrue(!Files.exists(replica.resolve("p0/d0/b0/t0")), "no fleet replica for the listed database");
    }

    @Test
    void databaseListedUnderDbsThroughASymlink_keepsTheFleetOffItsTarget() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 3);
        Path link = Files.createSymbolicLink(dir.resolve("listed.db"), dbs.get(0));
        Path replica = dir.resolve("replica");
        LitefleetConfig config = dbsAndFleet(link, dir.resolve("own-replica"), data, replica);
        withFleet(config, fleet -> {
            awaitStatus(fleet, s -> s.scans() >= 1 && s.transients() >= 2 && s.running() == 0,
                    Duration.ofSeconds(30), "the two other databases captured");
            assertEquals(2, fleet.status().known(), "the link's target is the dbs: entry's: " + fleet.status());
            write(dbs.get(1), new Random(5));
            awaitRestoresEqual(dbs.get(1), replica.resolve("p0/d0/b0/t1"), Duration.ofSeconds(20));
        });
        assertTrue(!Files.exists(replica.resolve("p0/d0/b0/t0")), "no second replicator on the listed file");
        stockRestoreEquals(dbs.get(1), replica.resolve("p0/d0/b0/t1"));
    }

    @Test
    void symlinkedDatabaseFiles_areLoggedOnceAndNotReplicated_theRestIs() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 2);
        Path tenants = dbs.get(0).getParent();
        Path outside = createDb(dir.resolve("outside.db"), "outside");
        Path toOutside = Files.createSymbolicLink(tenants.resolve("linked.db"), outside);
        Path toFleet = Files.createSymbolicLink(tenants.resolve("alias.db"), dbs.get(0));
        Path replica = dir.resolve("replica");
        try (LogCapture log = LogCapture.open("io.litefleet.discovery.glob.GlobDiscovery")) {
            withFleet(config(data, replica, "{{project}}/{{database}}/{{branch}}/{{tenant}}"), fleet -> {
                awaitStatus(fleet, s -> s.scans() >= 2 && s.transients() >= 2 && s.running() == 0,
                        Duration.ofSeconds(30), "the two databases captured");
                write(dbs.get(0), new Random(6));
                awaitRestoresEqual(dbs.get(0), replica.resolve("p0/d0/b0/t0"), Duration.ofSeconds(20));
                assertEquals(2, fleet.status().known(), "links are not databases of the fleet: " + fleet.status());
            });
            assertEquals(1, log.count("WARNING " + toOutside + " is a symlink to " + outside + ": NOT REPLICATED"),
                    log.lines().toString());
            assertEquals(1, log.count(toFleet + " is a symlink to " + dbs.get(0) + ", which pattern"),
                    log.lines().toString());
        }
        assertTrue(!Files.exists(replica.resolve("p0/d0/b0/linked")) && !Files.exists(replica.resolve("p0/d0/b0/alias")),
                "nothing replicated through a link");
        stockRestoreEquals(dbs.get(0), replica.resolve("p0/d0/b0/t0"));
    }

    @Test
    void stateDirInsideAPattern_isNeverADatabaseOfTheFleet_andStartSaysSo() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            dbs.add(createDb(data.resolve("p0/t" + i + ".db"), "t" + i));
        }
        Path state = data.resolve("state"); // its catalog.db matches data/*/*.db
        Path replica = dir.resolve("replica");
        String pattern = data + "/{project}/{tenant}.db";
        LitefleetConfig config = projectTenantFleet(List.of(pattern), replica, state);
        try (LogCapture log = LogCapture.open("io.litefleet.core.FleetWiring")) {
            withFleet(config, state, fleet -> {
                awaitStatus(fleet, s -> s.scans() >= 3 && s.transients() >= 2 && s.running() == 0,
                        Duration.ofSeconds(30), "the fleet captured and scanned again");
                write(dbs.get(1), new Random(7));
                awaitRestoresEqual(dbs.get(1), replica.resolve("p0/t1"), Duration.ofSeconds(20));
                awaitStatus(fleet, s -> s.scans() >= 5, Duration.ofSeconds(30), "more scans");
                assertEquals(2, fleet.status().known(), "the catalog is not a database of the fleet: "
                        + fleet.status());
            });
            assertEquals(1, log.count("WARNING state directory " + state + " is inside multi-db pattern '" + pattern
                    + "'"), log.lines().toString());
        }
        assertTrue(!Files.exists(replica.resolve("state")), "the catalog is not replicated");
        stockRestoreEquals(dbs.get(1), replica.resolve("p0/t1"));
    }

    @Test
    void patternMatchingNothing_isSaidOnceAtStart_andInTheStatusUntilADatabaseAppears() throws Exception {
        Path data = dir.resolve("data");
        Path db = createDb(data.resolve("p0/t0.db"), "found");
        String empty = dir.resolve("other") + "/{project}/{tenant}.db";
        Path replica = dir.resolve("replica");
        LitefleetConfig config = projectTenantFleet(List.of(data + "/{project}/{tenant}.db", empty), replica,
                dir.resolve("state"));
        Path late = dir.resolve("other/q0/t9.db");
        try (LogCapture log = LogCapture.open("io.litefleet.core.fleet.Intake")) {
            withFleet(config, fleet -> {
                awaitStatus(fleet, s -> s.scans() >= 3 && s.transients() >= 1 && s.running() == 0,
                        Duration.ofSeconds(30), "scans");
                assertEquals(List.of(empty), fleet.status().unmatchedPatterns(), fleet.status().toString());
                assertEquals(1, log.count("WARNING pattern '" + empty + "' matches no database ("),
                        "said once, not at every scan: " + log.lines());
                createDb(late, "late");
                awaitStatus(fleet, s -> s.unmatchedPatterns().isEmpty() && s.known() == 2, Duration.ofSeconds(10),
                        "the pattern off the list once it finds a database");
                awaitRestoresEqual(late, replica.resolve("q0/t9"), Duration.ofSeconds(20));
                awaitRestoresEqual(db, replica.resolve("p0/t0"), Duration.ofSeconds(20));
            });
        }
        stockRestoreEquals(late, replica.resolve("q0/t9"));
        stockRestoreEquals(db, replica.resolve("p0/t0"));
    }

    private static List<String> listing(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private interface FleetBody {
        void run(Replication fleet) throws Exception;
    }

    /** Runs {@code body} against replication of {@code config} started by the facade, closing it after. */
    private void withFleet(LitefleetConfig config, FleetBody body) throws Exception {
        withFleet(config, dir.resolve("state"), body);
    }

    private void withFleet(LitefleetConfig config, Path state, FleetBody body) throws Exception {
        try (Replication fleet = Litefleet.builder().config(config.file()).stateDir(state).start()) {
            body.run(fleet);
        }
    }

    /**
     * As {@link #withFleet}, but without threads: {@code body} moves {@code clock} and calls
     * {@link Replication#runUntilIdle()}, so time-driven behaviour (idle demotion, settling, scans) takes no wall
     * time.
     */
    private void withManualFleet(LitefleetConfig config, MutableClock clock, FleetBody body) throws Exception {
        try (Replication fleet = Litefleet.builder().config(config.file()).stateDir(dir.resolve("state")).clock(clock)
                .manual().start()) {
            body.run(fleet);
        }
    }

    /** Moves the clock by {@code total} in steps of {@code step}, doing everything due after each. */
    private static void advanceBy(Replication fleet, MutableClock clock, Duration total, Duration step) {
        for (Duration d = Duration.ZERO; d.compareTo(total) < 0; d = d.plus(step)) {
            advance(fleet, clock, step);
        }
    }

    /** Moves the clock and does everything then due. */
    private static void advance(Replication fleet, MutableClock clock, Duration by) {
        clock.advance(by);
        fleet.runUntilIdle();
    }

    private static String tenantOf(Path db) {
        return db.getFileName().toString().replaceFirst("\\.db$", "");
    }

    private static ReplicaTarget fileTarget(Path root) throws Exception {
        ReplicaClient client = new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", root.toString())));
        return new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "");
    }

    /** Polls until the replica at {@code root} restores equal to {@code db} (content hash, integrity_check). */
    private static void awaitRestoresEqual(Path db, Path root, Duration within) throws Exception {
        ReplicaTarget t = fileTarget(root);
        Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
        Path out = Files.createTempFile("fleet", ".db");
        String want = DbContent.hash(db);
        long deadline = System.nanoTime() + within.toNanos();
        String last = "no replica yet";
        try (ReplicaClient ignored = t.client()) {
            while (true) { // at least one attempt, also with a zero deadline
                try {
                    var plan = restorer.plan(t, RestoreTarget.latest(), 4);
                    if (plan.isPresent()) {
                        restorer.restore(t, plan.get(), RestoreOptions.of(out).withOverwrite(true));
                        String got = DbContent.hash(out);
                        if (got.equals(want) && "ok".equals(DbContent.integrityCheck(out))) {
                            return;
                        }
                        last = "restored content differs";
                    }
                } catch (java.io.IOException | RuntimeException ex) {
                    last = ex.toString();
                }
                if (System.nanoTime() >= deadline) {
                    break;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError(db + " does not restore equal within " + within + ": " + last);
    }

    private LitefleetConfig config(Path data, Path replica, String template) throws java.io.IOException {
        return config(data, replica, template, "");
    }

    /** The test fleet's config; {@code extra} holds more {@code multi-db:} keys, each line indented two spaces. */
    private LitefleetConfig config(Path data, Path replica, String template, String extra)
            throws java.io.IOException {
        String yaml = """
                multi-db:
                  enabled: true
                  patterns:
                    - "%s/*/databases/*/branches/*/tenants/*.db"
                  max-hot-databases: 50
                  scan-interval: 2s
                  full-scan-interval: 2s
                  hot-idle-timeout: 3s
                %s  replica-template:
                    type: file
                    path: "%s/%s"
                    sync-interval: 200ms
                state-dir: %s
                """.formatted(data, extra, replica, template, dir.resolve("state"));
        return parse("litefleet.yml", yaml);
    }

    /** {@code yaml} as the config file {@code name} in the test directory (not written; no environment). */
    private LitefleetConfig parse(String name, String yaml) throws java.io.IOException {
        Path file = Files.writeString(dir.resolve(name), yaml); // the facade reads it from the file
        return LitefleetConfig.parse(file, YamlLoader.withEnvironment(k -> null).parse(file.toString(), yaml));
    }

    /** A config listing {@code listed} under {@code dbs:} (to {@code own}) beside the test fleet's {@code multi-db:}. */
    private LitefleetConfig dbsAndFleet(Path listed, Path own, Path data, Path replica) throws java.io.IOException {
        return parse("both.yml", """
                dbs:
                  - path: %s
                    replica:
                      url: %s
                multi-db:
                  enabled: true
                  patterns:
                    - "%s/*/databases/*/branches/*/tenants/*.db"
                  replica-template:
                    type: file
                    path: "%s/{{project}}/{{database}}/{{branch}}/{{tenant}}"
                    sync-interval: 200ms
                state-dir: %s
                """.formatted(listed, own.toUri(), data, replica, dir.resolve("state")));
    }

    /** A fleet of {@code <project>/<tenant>.db} patterns, scanned every second, replicating to {@code replica}. */
    private LitefleetConfig projectTenantFleet(List<String> patterns, Path replica, Path state)
            throws java.io.IOException {
        return parse("fleet.yml", """
                multi-db:
                  patterns: [%s]
                  scan-interval: 1s
                  full-scan-interval: 1s
                  replica-template:
                    type: file
                    path: "%s/{{project}}/{{tenant}}"
                    sync-interval: 200ms
                state-dir: %s
                """.formatted(String.join(", ", patterns.stream().map(p -> '"' + p + '"').toList()), replica, state));
    }

    /** A WAL database at {@code db} (directories created) with table {@code t(id, v)} holding one row {@code v}. */
    private static Path createDb(Path db, String v) throws Exception {
        Files.createDirectories(db.getParent());
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('" + v + "')");
        }
        return db;
    }

    private static List<Path> createFleet(Path data) throws Exception {
        return createFleet(data, PROJECTS, DATABASES, BRANCHES, TENANTS);
    }

    private static List<Path> createFleet(Path data, int projects, int databases, int branches, int tenants)
            throws Exception {
        List<Path> out = new ArrayList<>();
        for (int p = 0; p < projects; p++) {
            for (int d = 0; d < databases; d++) {
                for (int b = 0; b < branches; b++) {
                    Path t = data.resolve("p" + p + "/databases/d" + d + "/branches/b" + b + "/tenants");
                    Files.createDirectories(t);
                    for (int i = 0; i < tenants; i++) {
                        out.add(createDb(t.resolve("t" + i + ".db"), "t" + i + ".db"));
                    }
                }
            }
        }
        return out;
    }

    private static void write(Path db, Random rnd) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA busy_timeout=2000", "INSERT INTO t(v) VALUES ('" + rnd.nextLong() + "')");
        }
    }

    private static void deleteDb(Path db) throws Exception {
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
        }
    }

    private static ReplicaTarget target(Path data, Path replica, Path db) throws Exception {
        Path rel = data.relativize(db);
        String tenant = rel.getFileName().toString().replaceFirst("\\.db$", "");
        Path root = replica.resolve(rel.getName(0) + "/" + rel.getName(2) + "/" + rel.getName(4) + "/" + tenant);
        ReplicaClient client = new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", root.toString())));
        return new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "");
    }

    /** Every written database restores equal now (the fleet ran until idle: nothing to wait for). */
    private static void assertAllEqual(Set<Path> written, Path data, Path replica) throws Exception {
        awaitAllEqual(written, data, replica, Duration.ZERO);
    }

    private static void awaitAllEqual(Set<Path> written, Path data, Path replica, Duration within)
            throws Exception {
        Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
        long deadline = System.nanoTime() + within.toNanos();
        Map<Path, String> pending = new HashMap<>();
        for (Path db : written) {
            pending.put(db, DbContent.hash(db));
        }
        Path out = Files.createTempFile("fleet", ".db");
        while (true) {
            for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                ReplicaTarget t = target(data, replica, e.getKey());
                try (ReplicaClient ignored = t.client()) {
                    var plan = restorer.plan(t, RestoreTarget.latest(), 4);
                    if (plan.isPresent()) {
                        restorer.restore(t, plan.get(), RestoreOptions.of(out).withOverwrite(true));
                        if (DbContent.hash(out).equals(e.getValue()) && "ok".equals(DbContent.integrityCheck(out))) {
                            it.remove();
                        }
                    }
                } catch (java.io.IOException | RuntimeException ex) {
                    // not there yet: a file being written or a sync still to come
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(pending.size() + " written databases do not restore equal, e.g. "
                        + pending.keySet().iterator().next());
            }
            Thread.sleep(200);
        }
    }

    private static void stockRestoreSample(Set<Path> written, Path data, Path replica, Random rnd) throws Exception {
        List<Path> sample = new ArrayList<>(written);
        java.util.Collections.shuffle(sample, rnd);
        for (Path db : sample.subList(0, Math.min(10, sample.size()))) {
            Path rel = data.relativize(db);
            String tenant = rel.getFileName().toString().replaceFirst("\\.db$", "");
            Path root = replica.resolve(rel.getName(0) + "/" + rel.getName(2) + "/" + rel.getName(4) + "/" + tenant);
            stockRestoreEquals(db, root);
        }
    }

    /** Stock {@code litestream restore} of the replica at {@code root} equals {@code db}. */
    private static void stockRestoreEquals(Path db, Path root) throws Exception {
        Path out = db.resolveSibling("stock-" + db.getFileName());
        Files.deleteIfExists(out);
        var r = PeerProcess.run(db.getParent(), Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(),
                "restore", "-o", out.toString(), root.toUri().toString()));
        assertEquals(0, r.exitCode(), r.both());
        assertEquals(DbContent.hash(db), DbContent.hash(out), "stock litestream restore of " + db);
        assertEquals("ok", DbContent.integrityCheck(out));
    }

    private static void awaitStatus(Replication fleet, Predicate<ReplicationStatus> p, Duration within, String what)
            throws InterruptedException {
        Await.until(within, () -> what + ": " + fleet.status(), () -> p.test(fleet.status()));
    }
}
