package io.litefleet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.ReplicaTarget;
import java.io.IOException;
import java.util.Map;
import io.litefleet.api.cluster.Owner;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.engine.BothRestores;
import io.litefleet.core.fleet.SyncScheduler;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.ReplicaOverlaps;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.StateLock;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.InMemoryCoordinator;
import io.litefleet.testkit.MutableClock;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode for {@code dbs:} entries: two instances list the same database and replica through one
 * {@link InMemoryCoordinator} service; only the one holding the claim replicates, the other takes over when it is
 * released, and session losses lose nothing. Ends with both restores equal to the source.
 */
class ListedClusterTest {
    private static final Duration VALIDITY = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T00:00:00Z"));
    private final InMemoryCoordinator.Service service = new InMemoryCoordinator.Service();
    private final List<AutoCloseable> closing = new ArrayList<>();

    /** One instance's listed databases, on its own state directory and manual scheduler. */
    private final class Instance {
        final InMemoryCoordinator coordinator;
        final SyncScheduler scheduler = SyncScheduler.manual(clock);
        final Catalog catalog;
        final ListedDatabases listed;

        Instance(String name, Path db) throws Exception {
            coordinator = service.join(name, VALIDITY);
            Path state = dir.resolve("state-" + name);
            StateLock lock = StateLock.acquire(state, List.of(db), false);
            PluginRegistry registry = PluginRegistry.open(Optional.empty());
            ReplicaClients clients = new ReplicaClients(registry);
            catalog = Catalog.open(state);
            listed = new ListedDatabases(clients, new ReplicaOverlaps(), catalog, scheduler,
                    CompactionSettings.defaults(), clock, state, false, lock, coordinator);
            closing.addAll(List.of(lock, registry, clients, catalog, coordinator, listed::close, scheduler));
        }

        /** Runs what is due after a second more. */
        void tick() {
            clock.advance(Duration.ofSeconds(2));
            scheduler.runPending();
        }

        long txid(Path db) throws Exception {
            return listed.txid(db);
        }

        /** The status API's source over this instance's listed databases, in cluster mode. */
        FleetStatusSource status() {
            return new FleetStatusSource(catalog, null, listed, new io.litefleet.core.config.HttpConfig
                    .HealthThresholds(Duration.ofSeconds(60), Duration.ofSeconds(300), 3), clock, Optional.of(
                    new io.litefleet.core.cluster.ClusterView(coordinator, listed::owned, () -> 0)));
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void heldElsewhere_notReplicated_untilReleased_thenTakenOver_andSessionCyclesLoseNothing() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('a')");
            DbConfig config = Litefleet.Builder.databaseConfig(db, dir.resolve("replica").toUri().toString(),
                    Duration.ofSeconds(1), "test");
            Instance a = new Instance("a", db);
            Instance b = new Instance("b", db);
            a.listed.add(config);
            b.listed.add(config);
            a.tick();
            b.tick();
            assertTrue(a.listed.isRunning(db), "a claimed it first");
            assertFalse(b.listed.isRunning(db), "b leaves it to a");
            assertEquals(0, b.txid(db), "b shipped nothing");
            assertTrue(a.txid(db) > 0);
            String location = a.coordinator.owners("", 10).get(0).location();
            io.litefleet.core.http.DatabaseView.Owner shown = a.status().get(db).orElseThrow().owner().orElseThrow();
            assertEquals(new io.litefleet.core.http.DatabaseView.Owner(Optional.of("a"),
                    service.owner(location).orElseThrow().token()), shown, "the status API names owner and token");
            assertEquals(1, a.listed.owned());
            assertEquals(0, b.listed.owned());
            assertEquals(Map.of("instance", "a", "owned", 1), pick(a.status().summary(), "instance", "owned"));

            a.listed.unregister(db).orElseThrow(); // a lets go after its final sync
            a.scheduler.runPending();
            b.scheduler.runPending(); // the release reaches b, which claims and starts
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('b')");
            b.tick();
            assertEquals(Optional.of("b"), service.owner(location).map(Owner::instance));
            assertTrue(b.listed.isRunning(db) && b.txid(db) > 0, "b took over");

            for (int cycle = 0; cycle < 3; cycle++) {
                long before = b.txid(db);
                b.coordinator.advance(VALIDITY);
                SqliteFiles.exec(app, "INSERT INTO t VALUES ('while lost " + cycle + "')");
                b.tick();
                assertEquals(before, b.txid(db), "cycle " + cycle + ": fenced, nothing shipped");
                assertTrue(b.status().unhealthy().getFirst().startsWith("cluster: fenced since"),
                        b.status().unhealthy().toString());
                assertEquals(0, b.listed.owned(), "a lapsed claim is not counted as owned");
                if (cycle == 1) {
                    b.coordinator.expire(); // a new session: the replicators are built again, fenced by new tokens
                }
                b.coordinator.keepAlive();
                for (int i = 0; i < 5 && b.txid(db) == before; i++) {
                    b.tick(); // past the backoff of the fenced tries
                }
                assertTrue(b.txid(db) > before, "cycle " + cycle + ": shipped once the session is back");
            }
        }
        BothRestores.assertRestore(dir, dir.resolve("replica"), DbContent.hash(db), db.toString());
    }

    /** The {@code cluster} object of {@code /v1/fleet}, only {@code keys}. */
    private static Map<String, Object> pick(Map<String, Object> summary, String... keys) {
        Map<?, ?> cluster = (Map<?, ?>) summary.get("cluster");
        Map<String, Object> out = new java.util.HashMap<>();
        for (String k : keys) {
            out.put(k, cluster.get(k));
        }
        return out;
    }

    @Test
    void claim_heldByAnother_failsNamingTheHolder_andGivesBackWhatItGot() throws Exception {
        InMemoryCoordinator a = service.join("a", VALIDITY);
        InMemoryCoordinator b = service.join("b", VALIDITY);
        closing.addAll(List.of(a, b));
        try (var client = new FileReplicaClientProvider().create(Settings.of(
                "test", Map.of("root", dir.resolve("replica").toString())))) {
            var one = new ReplicaTarget(client,
                    ReplicaLayout.LTX_DIRS, "one");
            var two = new ReplicaTarget(client,
                    ReplicaLayout.LTX_DIRS, "two");
            Path db = dir.resolve("x.db");
            ListedDatabases.claim(b, db, List.of(two));
            IOException e = assertThrows(IOException.class,
                    () -> ListedDatabases.claim(a, db, List.of(one, two)));
            assertTrue(e.getMessage().contains(db.toString()) && e.getMessage().contains(two.describe())
                    && e.getMessage().contains("instance b"), e.getMessage());
            assertEquals(Optional.empty(), service.owner(one.describe()), "the part a got is given back");

            var fenced = ListedDatabases.claim(b, db, List.of(one));
            assertTrue(fenced.get(0).fence().token() > 0, "the target carries the claim's token");
            b.advance(VALIDITY);
            assertThrows(ReplicaException.class,
                    () -> fenced.get(0).delete(List.of("ltx/0/x.ltx")), "a lapsed claim deletes nothing");
        }
    }
}
