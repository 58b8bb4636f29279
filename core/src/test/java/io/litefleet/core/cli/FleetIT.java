package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.YamlLoader;
import io.litefleet.core.engine.ReplicaClients;
import io.litefleet.core.engine.ReplicaOverlaps;
import io.litefleet.core.engine.ReplicaTarget;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.fleet.FleetStatus;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.restore.RetryPolicy;
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
        withFleet(config, fleet -> {
            awaitStatus(fleet, s -> s.scans() > 0 && s.known() == dbs.size() && s.backlog() == 0
                    && s.transients() + s.promotions() >= dbs.size(), Duration.ofMinutes(3), "initial capture");
            for (int round = 0; round < 6; round++) {
                List<Path> active = new ArrayList<>();
                for (int i = 0; i < dbs.size() / 20; i++) {
                    active.add(dbs.get(rnd.nextInt(dbs.size())));
                }
                FleetStatus start = fleet.status();
                long before = start.promotions() + start.transients();
                for (int k = 0; k < 3; k++) {
                    for (Path db : active) {
                        write(db, rnd);
                        written.add(db);
                    }
                }
                // Each change is acted on: a promotion, or a transient pass when the database is busy or the
                // hot set is full of more recently active databases.
                awaitStatus(fleet, s -> s.promotions() + s.transients() > before, Duration.ofSeconds(30),
                        "changes acted on");
            }
            Path gone = dbs.get(0);
            deleteDb(gone);
            written.remove(gone);
            awaitStatus(fleet, s -> s.deleted() >= 1, Duration.ofSeconds(30), "deletion noticed");
            Path recreated = dbs.get(1);
            deleteDb(recreated);
            try (Connection c = SqliteFiles.open(recreated)) {
                SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE fresh(x)",
                        "INSERT INTO fresh VALUES ('recreated')");
            }
            written.add(recreated);
            awaitStatus(fleet, s -> s.evictions() > 0 && s.demotions() > 0, Duration.ofSeconds(60),
                    "evictions and demotions");
            awaitAllEqual(written, data, replica, Duration.ofMinutes(2));
            FleetStatus s = fleet.status();
            System.out.println("FleetIT status: " + s);
            assertTrue(s.hot() <= 50, "the hot set respects the cap: " + s);
            assertTrue(s.promotions() > 50, "promotions happened: " + s);
        });
        awaitAllEqual(written, data, replica, Duration.ofSeconds(30));
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
        withFleet(config, fleet -> awaitStatus(fleet, s -> s.excluded() == dbs.size()
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
            awaitStatus(fleet, s -> s.excluded() == 2, Duration.ofSeconds(30), "both colliding excluded");
            assertTrue(!Files.exists(replica.resolve("p0/d0/b0/ltx")), "nothing written while they collide");
            deleteDb(dbs.get(0));
            awaitStatus(fleet, s -> s.deleted() == 1 && s.excluded() == 0, Duration.ofSeconds(30),
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
            awaitStatus(fleet, s -> s.known() == 4 && s.excluded() == 2, Duration.ofSeconds(30),
                    "the two bad databases refused");
            for (Path db : dbs) {
                awaitRestoresEqual(db, replica.resolve("p0/d0/b0/" + tenantOf(db)),
                        Duration.ofSeconds(30));
            }
            try (Connection c = SqliteFiles.open(rollback)) {
                SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "INSERT INTO t(v) VALUES ('now in WAL mode')");
            }
            awaitRestoresEqual(rollback, replica.resolve("p0/d0/b0/rollback"), Duration.ofSeconds(30));
            awaitStatus(fleet, s -> s.excluded() == 1, Duration.ofSeconds(10), "only '..db' still refused");
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
        // The application keeps its connection: its WAL stays, so our position in it stays provable.
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0");
            withFleet(config, fleet -> {
                awaitStatus(fleet, s -> s.known() == 2 && s.backlog() == 0 && s.transients() >= 2,
                        Duration.ofSeconds(30), "initial capture");
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('promote me')");
                awaitStatus(fleet, s -> s.promotions() == 1, Duration.ofSeconds(10), "promotion");
                awaitStatus(fleet, s -> s.demotions() == 1 && s.hot() == 0, Duration.ofSeconds(20),
                        "demotion after 3 idle seconds");
                long capturesBefore = fleet.status().captures();
                awaitStatus(fleet, s -> s.settles() >= 1, Duration.ofSeconds(20), "cold replica settled");
                assertTrue(listing(snapshots).size() >= 1, "a cold snapshot: " + listing(snapshots));

                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('promote me again')");
                awaitStatus(fleet, s -> s.promotions() == 2, Duration.ofSeconds(10), "second promotion");
                awaitRestoresEqual(db, target, Duration.ofSeconds(20));
                assertEquals(capturesBefore, fleet.status().captures(),
                        "the WAL proves continuity: promoted again without a capture: " + fleet.status());

            });
            // While nobody watches, a commit is checkpointed into the database file and the WAL restarts: no WAL
            // we can read holds that commit, so the next open (the same path a promotion takes) must capture.
            SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('unseen')", "PRAGMA wal_checkpoint(TRUNCATE)",
                    "INSERT INTO t(v) VALUES ('after restart')");
            withFleet(config, fleet -> {
                awaitStatus(fleet, s -> s.captures() == 1 && s.transients() + s.promotions() >= 1,
                        Duration.ofSeconds(20), "a capture for the unprovable WAL restart");
                awaitRestoresEqual(db, target, Duration.ofSeconds(20));
            });
        }
        awaitRestoresEqual(db, target, Duration.ofSeconds(5));
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
                  replica-template:
                    type: file
                    path: "%s/{{project}}/{{database}}/{{branch}}/{{tenant}}"
                    sync-interval: 200ms
                state-dir: %s
                """.formatted(other, taken, data, replica, dir.resolve("state"));
        Path file = dir.resolve("overlap.yml");
        LitefleetConfig config = LitefleetConfig.parse(file,
                YamlLoader.withEnvironment(k -> null).parse(file.toString(), yaml));
        withFleet(config, fleet -> {
            awaitStatus(fleet, s -> s.excluded() == 1 && s.transients() >= 1 && s.running() == 0,
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
            assertTrue(!Files.exists(taken.resolve("ltx")), "the fleet never wrote into the dbs: replica");
        });
    }

    @Test
    void unsettledAtStop_isSettledByTheNextRun() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = createFleet(data, 1, 1, 1, 1);
        Path replica = dir.resolve("replica");
        String template = "{{project}}/{{database}}/{{branch}}/{{tenant}}";
        Path db = dbs.get(0);
        Path snapshots = replica.resolve("p0/d0/b0/t0/ltx/9");
        // First run: settling is an hour away, so the database stops hot (or demoted) with its levels behind.
        withFleet(config(data, replica, template, "  cold-snapshot-interval: 1h\n"), fleet -> {
            awaitStatus(fleet, s -> s.transients() >= 1 && s.running() == 0, Duration.ofSeconds(30), "capture");
            write(db, new Random(1));
            awaitStatus(fleet, s -> s.promotions() == 1, Duration.ofSeconds(10), "promotion");
            awaitRestoresEqual(db, replica.resolve("p0/d0/b0/t0"), Duration.ofSeconds(20));
        });
        assertEquals(List.of(), listing(snapshots), "no snapshot yet");
        try (Catalog catalog = Catalog.open(dir.resolve("state"))) {
            assertEquals(List.of(db.toString()), catalog.unsettled(), "the catalog remembers it is unsettled");
        }
        // Second run: nothing changed, yet the replica left behind is settled.
        withFleet(config(data, replica, template, "  cold-snapshot-interval: 2s\n"), fleet -> {
            awaitStatus(fleet, s -> s.settles() >= 1, Duration.ofSeconds(20), "settled after the restart");
            assertEquals(0, fleet.status().captures(), "nothing re-captured: " + fleet.status());
        });
        assertEquals(1, listing(snapshots).size(), "a snapshot: " + listing(snapshots));
        awaitRestoresEqual(db, replica.resolve("p0/d0/b0/t0"), Duration.ofSeconds(5));
        stockRestoreEquals(db, replica.resolve("p0/d0/b0/t0"));
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
        try (LogCapture log = LogCapture.open(FleetRunner.class.getName())) {
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
        try (LogCapture log = LogCapture.open(FleetManager.class.getName())) {
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
        void run(FleetManager fleet) throws Exception;
    }

    /** Runs {@code body} against a started fleet, closing it (and its registry, clients and catalog) after. */
    private void withFleet(LitefleetConfig config, FleetBody body) throws Exception {
        withFleet(config, dir.resolve("state"), body);
    }

    private void withFleet(LitefleetConfig config, Path state, FleetBody body) throws Exception {
        try (PluginRegistry registry = PluginRegistry.open(Optional.empty());
             ReplicaClients clients = new ReplicaClients(registry);
             Catalog catalog = Catalog.open(state)) {
            // As `replicate` does: the dbs: entries' replicas are claimed before the fleet starts.
            ReplicaOverlaps claimed = new ReplicaOverlaps();
            for (var db : config.dbs()) {
                claimed.add(new ReplicaOverlaps.Claim(db.path().toString(), clients.resolve(db.replica())));
            }
            FleetManager fleet = FleetRunner.start(config.fleet().orElseThrow(), config.compaction(), registry,
                    clients, catalog, Clock.systemUTC(), claimed);
            try {
                body.run(fleet);
            } finally {
                fleet.close();
            }
        }
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
            while (System.nanoTime() < deadline) {
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
                Thread.sleep(200);
            }
        }
        throw new AssertionError(db + " does not restore equal within " + within + ": " + last);
    }

    private LitefleetConfig config(Path data, Path replica, String template) {
        return config(data, replica, template, "");
    }

    /** The test fleet's config; {@code extra} holds more {@code multi-db:} keys, each line indented two spaces. */
    private LitefleetConfig config(Path data, Path replica, String template, String extra) {
        String yaml = """
                multi-db:
                  enabled: true
                  patterns:
                    - "%s/*/databases/*/branches/*/tenants/*.db"
                  max-hot-databases: 50
                  scan-interval: 2s
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
    private LitefleetConfig parse(String name, String yaml) {
        Path file = dir.resolve(name);
        return LitefleetConfig.parse(file, YamlLoader.withEnvironment(k -> null).parse(file.toString(), yaml));
    }

    /** A config listing {@code listed} under {@code dbs:} (to {@code own}) beside the test fleet's {@code multi-db:}. */
    private LitefleetConfig dbsAndFleet(Path listed, Path own, Path data, Path replica) {
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
    private LitefleetConfig projectTenantFleet(List<String> patterns, Path replica, Path state) {
        return parse("fleet.yml", """
                multi-db:
                  patterns: [%s]
                  scan-interval: 1s
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

    private static void awaitStatus(FleetManager fleet, Predicate<FleetStatus> p, Duration within, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!p.test(fleet.status())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + within + ": " + fleet.status());
            }
            Thread.sleep(100);
        }
    }
}
