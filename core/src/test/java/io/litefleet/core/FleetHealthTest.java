package io.litefleet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.config.HttpConfig.HealthThresholds;
import io.litefleet.core.fleet.FleetLive;
import io.litefleet.core.fleet.SyncScheduler.SyncHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code /healthz}'s verdict: each threshold fails it on its own, just past its value and not at it. */
class FleetHealthTest {
    private static final Instant T0 = Instant.parse("2026-12-05T06:00:00Z");
    private static final HealthThresholds T = new HealthThresholds(Duration.ofSeconds(60), Duration.ofSeconds(300), 3);
    private static final Duration SCAN = Duration.ofSeconds(10);

    private static FleetLive live(List<FleetLive.HotDb> hot, Optional<Instant> lastScan) {
        return new FleetLive(hot, List.of(), lastScan, SCAN, io.litefleet.core.fleet.WatchHealth.HEALTHY, "", T0);
    }

    private static FleetLive.HotDb hot(String path, SyncHealth... health) {
        return new FleetLive.HotDb(Path.of(path), T0, java.util.Arrays.stream(health).map(h -> new FleetLive
                .HotReplica("s3://bucket", "s3://bucket" + path, 7, Optional.of(h))).toList());
    }

    private static SyncHealth ok(Instant lastSuccess) {
        return new SyncHealth(T0, Optional.of(lastSuccess), Optional.empty(), Optional.empty(), 0);
    }

    private static SyncHealth failing(Instant since, String error) {
        return new SyncHealth(T0, Optional.of(since), Optional.of(since), Optional.of(error), 4);
    }

    private static List<String> reasons(FleetLive live, Instant now, HealthThresholds t) {
        return FleetHealth.reasons(live, List.of(), now, t);
    }

    @Test
    void listedDatabase_runningWithoutASyncPastMaxLag_isLagging_stoppedOneIsNot() {
        Instant now = T0.plusSeconds(61);
        ListedDatabases.State late = new ListedDatabases.State(Path.of("/d/listed.db"), true, Optional.of(T0),
                List.of("file:///r"));
        ListedDatabases.State stopped = new ListedDatabases.State(Path.of("/d/stopped.db"), false, Optional.of(T0),
                List.of("file:///s"));
        assertEquals(List.of("1 hot database(s) behind by more than health.max-lag 60s: /d/listed.db (61s)"),
                FleetHealth.reasons(null, List.of(late, stopped), now, T));
        assertEquals(List.of(), FleetHealth.reasons(null, List.of(late), T0.plusSeconds(60), T));
    }

    @Test
    void healthy_whenLagScansAndDestinationsAreWithinThresholds() {
        Instant now = T0.plusSeconds(60);
        assertEquals(List.of(), reasons(live(List.of(hot("/d/a.db", ok(T0))), Optional.of(now.minusSeconds(30))),
                now, T));
    }

    @Test
    void lagPastMaxLag_namesTheDatabaseAndItsLag_slowestDestinationCounts() {
        Instant now = T0.plusSeconds(61);
        List<String> r = reasons(live(List.of(hot("/d/a.db", ok(now), ok(T0)), hot("/d/b.db", ok(now))),
                Optional.of(now)), now, T);
        assertEquals(List.of("1 hot database(s) behind by more than health.max-lag 60s: /d/a.db (61s)"), r);
        assertEquals(Duration.ofSeconds(61), FleetHealth.lag(hot("/d/a.db", ok(now), ok(T0)), now));
    }

    @Test
    void destinationFailingPastMaxFailing_isOneReasonPerDestination_withTheLastError() {
        Instant since = T0;
        Instant now = since.plusSeconds(301);
        List<String> r = reasons(live(List.of(hot("/d/a.db", failing(since, "503 SlowDown")),
                hot("/d/b.db", failing(since, "503 SlowDown"))), Optional.of(now)), now, new HealthThresholds(
                Duration.ofHours(1), Duration.ofSeconds(300), 3));
        assertEquals(List.of("destination s3://bucket: syncs of 2 database(s) failing for longer than "
                + "health.max-failing 300s; last error: 503 SlowDown"), r);
        assertEquals(List.of(), reasons(live(List.of(hot("/d/a.db", failing(now.minusSeconds(300), "x"))),
                Optional.of(now)), now, new HealthThresholds(Duration.ofHours(1), Duration.ofSeconds(300), 3)),
                "not past the threshold yet");
    }

    @Test
    void noScanForMissedScansIntervals_isDiscoveryStopped_fromStartWhenNoneEver() {
        Instant now = T0.plusSeconds(31);
        List<String> r = reasons(live(List.of(), Optional.empty()), now, T);
        assertEquals(1, r.size());
        assertTrue(r.getFirst().startsWith("discovery: no scan completed since start (health.missed-scans 3 x "
                + "the full-scan interval in force, 10s; watch healthy)"), r.getFirst());
        assertEquals(List.of(), reasons(live(List.of(), Optional.of(T0.plusSeconds(1))), now, T));
    }

    @Test
    void missedScans_countTheFullScanIntervalInForce() {
        Instant now = T0.plus(Duration.ofHours(2));
        Optional<Instant> scanned = Optional.of(T0);
        FleetLive healthy = new FleetLive(List.of(), List.of(), scanned, Duration.ofHours(1),
                io.litefleet.core.fleet.WatchHealth.HEALTHY, "", T0);
        assertEquals(List.of(), reasons(healthy, now, T), "2 h without a scan is within 3 x 1 h");
        FleetLive lost = new FleetLive(List.of(), List.of(), scanned, Duration.ofSeconds(30),
                io.litefleet.core.fleet.WatchHealth.INCOMPLETE, "watch limit", T0);
        assertTrue(reasons(lost, now, T).getFirst().contains("x the full-scan interval in force, 30s; watch "
                + "incomplete"), "an unhealthy watch scans every scan-interval: 2 h without one is a failure");
    }

    @Test
    void cluster_fenced_isAReasonNamingSinceWhenAndTheLastKeepAlive_validIsNot() throws Exception {
        io.litefleet.testkit.InMemoryCoordinator c = io.litefleet.testkit.InMemoryCoordinator.single("host-a",
                Duration.ofSeconds(8));
        io.litefleet.core.cluster.ClusterView view = new io.litefleet.core.cluster.ClusterView(c, () -> 3, () -> 0);
        Instant now = T0.plusSeconds(100);
        assertEquals(List.of(), FleetHealth.reasons(null, List.of(), Optional.of(view.snapshot()), now, T));
        c.advance(Duration.ofSeconds(12)); // fenced 4 s ago (8 s validity), last keep-alive 12 s ago
        assertEquals(List.of("cluster: fenced since 2026-12-05T06:01:36Z (last keep-alive 12s ago): instance host-a "
                        + "uploads and deletes nothing, keeping the WAL, until the coordination service answers again"),
                FleetHealth.reasons(null, List.of(), Optional.of(view.snapshot()), now, T));
        c.keepAlive();
        assertEquals(List.of(), FleetHealth.reasons(null, List.of(), Optional.of(view.snapshot()), now, T));
    }

    @Test
    void cluster_sessionEndedByTheService_isFencedFromThatMoment() {
        io.litefleet.testkit.InMemoryCoordinator c = io.litefleet.testkit.InMemoryCoordinator.single("host-b",
                Duration.ofSeconds(8));
        c.advance(Duration.ofSeconds(2));
        c.expire(); // the lease is gone though the local validity had 6 s left
        c.advance(Duration.ofSeconds(1));
        io.litefleet.core.cluster.ClusterView.Snapshot s = new io.litefleet.core.cluster.ClusterView(c, () -> 0,
                () -> 0).snapshot();
        assertEquals(Optional.of("fenced since 2026-12-05T06:00:59Z (last keep-alive 3s ago)"),
                s.fenced(T0.plusSeconds(60)));
        assertTrue(s.line(T0.plusSeconds(60)).startsWith("instance host-b: fenced since"), s.line(T0));
    }
}
