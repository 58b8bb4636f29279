package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.litefleet.api.Settings;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.engine.BothRestores;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * During a store outage every queued database backs off. Draining the transient passes (on each fleet step, and on
 * every release) must not walk that whole backlog each time: it takes only the rows that are due, and none is lost.
 */
class PassBackoffTest {
    @TempDir
    Path dir;

    @Test
    void drain_withManyRowsBackingOff_examinesOnlyTheDueOnes_andRetriesEveryOneWhenDue() throws Exception {
        int n = 120;
        FleetManagerTest.FakeDiscovery discovery = new FleetManagerTest.FakeDiscovery();
        List<Path> dbs = discovery.addWalDatabases(dir.resolve("data"), n);
        Path replicas = dir.resolve("replicas");
        ReplicaClient client = new FileReplicaClientProvider().create(
                Settings.of("test", Map.of("root", replicas.toString())));
        TargetResolver working = FleetManagerTest.byFileName(client);
        MutableClock clock = new MutableClock(Instant.parse("2026-12-05T00:00:00Z"));
        AtomicInteger outageCalls = new AtomicInteger();
        boolean[] outage = {true};
        TargetResolver resolver = new TargetResolver() {
            @Override
            public String replicaPath(DiscoveredDatabase db) {
                return working.replicaPath(db);
            }

            @Override
            public ReplicaTarget resolve(DiscoveredDatabase db) throws IOException {
                if (outage[0]) {
                    outageCalls.incrementAndGet();
                    throw new ReplicaException(ReplicaFailure.UNAVAILABLE, "store down (test)");
                }
                return working.resolve(db);
            }
        };
        FleetOptions options = new FleetOptions(10, Duration.ofHours(1), 2, 2, Duration.ZERO,
                EngineSettings.DEFAULTS, CompactionSettings.defaults(), Optional.empty());
        SyncScheduler scheduler = SyncScheduler.manual(clock);
        try (Catalog catalog = Catalog.open(dir.resolve("state"))) {
            FleetManager fleet = FleetManager.manual(discovery, List.of("/p/*"), s -> TierDecision.STAY, resolver,
                    catalog, options, clock, scheduler);
            try {
                fleet.runUntilIdle(); // the first scan queues every database; each pass fails to start and backs off
                assertEquals(n, outageCalls.get(), "every database tried once");
                assertEquals(n, fleet.status().backlog(), "every database waits, backing off");
                long examined = fleet.passRowsExamined();
                for (int i = 0; i < 50; i++) {
                    fleet.step();
                }
                assertEquals(examined, fleet.passRowsExamined(), "50 drains with no retry due examined no row");
                assertEquals(n, outageCalls.get());

                clock.advance(Duration.ofMillis(SyncScheduler.backoffMillis(1)));
                fleet.step();
                assertEquals(2 * n, outageCalls.get(), "every database retried once its backoff passed");
                assertEquals(examined + n, fleet.passRowsExamined(), "each due row examined once");

                outage[0] = false;
                clock.advance(Duration.ofMillis(SyncScheduler.backoffMillis(2)));
                fleet.runUntilIdle();
                assertEquals(0, fleet.status().backlog(), "the backlog emptied once the store was back");
                for (Path db : dbs) {
                    assertEquals(true, catalog.get(db.toString()).isPresent(), db + " captured");
                }
            } finally {
                fleet.close();
                scheduler.close();
            }
        } finally {
            client.close();
        }
        for (Path db : List.of(dbs.get(0), dbs.get(n - 1))) {
            BothRestores.assertRestore(dir, replicas.resolve(db.getFileName().toString()), DbContent.hash(db),
                    db.toString());
        }
    }
}
