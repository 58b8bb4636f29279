package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.engine.BothRestores;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.MutableClock;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full rescans are a safety net while the watch is healthy (every full-scan interval) and run every scan interval
 * while it is not (events lost, directories unwatched, no watch); status says which. Manual fleet, injected clock.
 */
class WatchRescanTest {
    private static final Duration SCAN = Duration.ofSeconds(30);
    private static final Duration FULL = Duration.ofHours(1);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T09:00:00Z"));
    private final FleetManagerTest.FakeDiscovery discovery = new FleetManagerTest.FakeDiscovery();
    private Catalog catalog;
    private ReplicaClient client;
    private FleetManager fleet;

    @BeforeEach
    void open() throws Exception {
        catalog = Catalog.open(dir.resolve("state"));
        client = new FileReplicaClientProvider().create(Settings.of("test", Map.of("root",
                dir.resolve("replicas").toString())));
    }

    @AfterEach
    void close() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
        client.close();
        catalog.close();
    }

    private void start() throws Exception {
        TargetResolver resolver = FleetManagerTest.byFileName(client);
        FleetOptions options = new FleetOptions(10, SCAN, 1, 2, Duration.ZERO, EngineSettings.DEFAULTS,
                CompactionSettings.defaults(), Optional.empty(), FULL);
        fleet = FleetManager.manual(discovery, List.of("/p/*"), s -> TierDecision.STAY, resolver, catalog, options,
                clock, SyncScheduler.manual(clock));
        fleet.runUntilIdle(); // the start-up scan
    }

    /** Advances the clock and runs what is due; returns the full scans done so far. */
    private long after(Duration d) {
        clock.advance(d);
        fleet.runUntilIdle();
        return fleet.status().scans();
    }

    /** A small WAL database in the test directory that the fake discovery lists. */
    private Path database(String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('x')");
        }
        discovery.dbs.add(db);
        return db;
    }

    private FleetLive live() throws Exception {
        var answer = fleet.live();
        fleet.runUntilIdle();
        return answer.get(1, TimeUnit.SECONDS);
    }

    @Test
    void healthyWatch_skipsTheScanInterval_andScansAtTheFullScanInterval() throws Exception {
        start();
        assertEquals(1, fleet.status().scans(), "start-up scan");
        assertEquals(WatchHealth.HEALTHY, fleet.status().watch());
        assertEquals(FULL, fleet.status().scanEvery());
        assertEquals(1, after(SCAN.plusSeconds(1)), "no full scan at the scan interval while watching is healthy");
        assertEquals(1, after(FULL.minus(SCAN).minusSeconds(2)), "none just before the full-scan interval");
        assertEquals(2, after(Duration.ofSeconds(1)), "the safety-net scan at the full-scan interval");
        assertEquals("", live().watchReason());
    }

    @Test
    void lostEvents_rescanAtOnce_thenEveryScanInterval_untilQuietForOne_andStatusSaysSo() throws Exception {
        start();
        discovery.listener.overflowed("queue overflow (test)");
        assertEquals(2, after(Duration.ZERO), "rescan at once");
        assertEquals(WatchHealth.LOST_EVENTS, fleet.status().watch());
        assertEquals(SCAN, fleet.status().scanEvery());
        FleetLive live = live();
        assertEquals(WatchHealth.LOST_EVENTS, live.watch());
        assertEquals("queue overflow (test)", live.watchReason());
        assertEquals(SCAN, live.scanInterval(), "what /healthz's missed-scans rule multiplies");
        assertEquals(2, after(SCAN.minusSeconds(1)));
        assertEquals(3, after(Duration.ofSeconds(1)), "a scan at the scan interval after lost events");
        assertEquals(WatchHealth.HEALTHY, fleet.status().watch(), "quiet for a scan interval");
        assertEquals(FULL, fleet.status().scanEvery());
        assertEquals(3, after(SCAN.multipliedBy(2)), "back to the safety net");
    }

    @Test
    void incompleteWatch_scansEveryScanInterval_forGood() throws Exception {
        start();
        discovery.listener.incomplete("watch limit reached (test)");
        assertEquals(2, after(Duration.ZERO), "rescan at once");
        for (int i = 1; i <= 3; i++) {
            assertEquals(2 + i, after(SCAN), "scan " + i + " at the scan interval");
        }
        assertEquals(WatchHealth.INCOMPLETE, fleet.status().watch());
        assertEquals("watch limit reached (test)", live().watchReason());
    }

    @Test
    void noWatch_scansEveryScanInterval() throws Exception {
        discovery.watchable = false;
        start();
        assertEquals(WatchHealth.OFF, fleet.status().watch());
        assertEquals(2, after(SCAN));
        assertEquals(3, after(SCAN));
    }

    @Test
    void databaseCreatedWhileHealthy_isFoundByTheWatch_withoutAScan() throws Exception {
        start();
        Path db = database("new.db");
        discovery.listener.changed(db);
        assertEquals(1, after(Duration.ofSeconds(1)), "no full scan needed");
        assertEquals(1, fleet.status().known());
        assertEquals(1, fleet.status().captures(), "captured through the watch event");
        assertTrue(catalog.get(db.toString()).isPresent(), "its position is recorded");
        BothRestores.assertRestore(dir, dir.resolve("replicas/new.db"), DbContent.hash(db), "found by watching");
    }

    @Test
    void failedProbe_losesTheEventLikeAnOverflow_andTheScanAtTheScanIntervalFindsTheDatabase() throws Exception {
        start();
        Path db = database("unprobed.db");
        discovery.failingProbes.add(db); // EMFILE, say: the scan right after the event fails too
        discovery.listener.changed(db);
        after(Duration.ZERO);
        assertEquals(WatchHealth.LOST_EVENTS, fleet.status().watch(), "the event was not dropped silently");
        assertTrue(live().watchReason().contains("unprobed.db"), "the reason names the file");
        assertEquals(SCAN, fleet.status().scanEvery());
        assertEquals(0, fleet.status().known());
        discovery.failingProbes.clear(); // recovered
        assertEquals(2, after(SCAN), "a scan at the scan interval, not an hour later");
        assertEquals(1, fleet.status().known());
        assertEquals(1, fleet.status().captures());
        BothRestores.assertRestore(dir, dir.resolve("replicas/unprobed.db"), DbContent.hash(db), "found by the scan");
    }
}
