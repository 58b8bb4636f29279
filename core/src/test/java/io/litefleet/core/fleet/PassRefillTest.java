package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.engine.BothRestores;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.LogCapture;
import io.litefleet.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pass that ends frees its slot for the next queued pass at once, not at the fleet's next step (which the fleet
 * thread runs about every 200 ms): a first capture of a fleet ran at {@code maxTransient} passes per tick before.
 * Such a capture logs one summary line, not one per database.
 */
class PassRefillTest {
    @TempDir
    Path dir;

    @Test
    void passesFinishingBetweenSteps_startTheQueuedOnes_withoutAnotherStep() throws Exception {
        int n = 7;
        int slots = 2;
        Path replicas = dir.resolve("replicas");
        FleetManagerTest.FakeDiscovery discovery = new FleetManagerTest.FakeDiscovery();
        List<Path> dbs = discovery.addWalDatabases(dir.resolve("data"), n);
        MutableClock clock = new MutableClock(Instant.parse("2026-12-05T00:00:00Z"));
        ReplicaClient client = new FileReplicaClientProvider().create(
                Settings.of("test", Map.of("root", replicas.toString())));
        TargetResolver resolver = FleetManagerTest.byFileName(client);
        FleetOptions options = new FleetOptions(10, Duration.ofHours(1), slots, slots, Duration.ZERO,
                EngineSettings.DEFAULTS, CompactionSettings.defaults(), Optional.empty());
        SyncScheduler scheduler = SyncScheduler.manual(clock);
        try (Catalog catalog = Catalog.open(dir.resolve("state"));
             LogCapture engineLog = LogCapture.open(DbReplicator.class.getName());
             LogCapture passLog = LogCapture.open(Passes.class.getName())) {
            FleetManager fleet = FleetManager.manual(discovery, List.of("/p/*"), s -> TierDecision.STAY, resolver,
                    catalog, options, clock, scheduler);
            try {
                fleet.step(); // the first scan queues every database and starts the first passes
                int rounds = 0;
                // Passes run and report; no further step. Before the fix only the first `slots` passes ever ran.
                while (scheduler.runPending() > 0) {
                    fleet.drainInbox();
                    rounds++;
                }
                int captured = 0;
                for (Path db : dbs) {
                    captured += catalog.get(db.toString()).isPresent() ? 1 : 0;
                }
                assertEquals(n, captured, "databases captured after one step and " + rounds + " rounds of passes");
                assertEquals(0, engineLog.count("captured current state"), "first captures log at DEBUG: "
                        + engineLog.lines());
                assertEquals(List.of("INFO transient passes: " + n + " database(s) synced in 0.0 s, " + n
                        + " captured (current state uploaded)"), passLog.lines());
            } finally {
                fleet.close();
                scheduler.close();
            }
        } finally {
            client.close();
        }
        for (Path db : dbs) {
            BothRestores.assertRestore(dir, replicas.resolve(db.getFileName().toString()), DbContent.hash(db),
                    db.toString());
        }
    }
}
