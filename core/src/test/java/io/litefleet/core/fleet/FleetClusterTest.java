package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.Owner;
import io.litefleet.api.cluster.OwnershipListener;
import io.litefleet.api.cluster.Session;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.tier.Tier;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.core.cluster.SingleNodeCoordinator;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.engine.BothRestores;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.InMemoryCoordinator;
import io.litefleet.testkit.MutableClock;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode in the fleet: two manual fleets (instances {@code a} and {@code b}) share one data directory and one
 * file replica through an {@link InMemoryCoordinator} service. Every put is recorded with the instance that made it,
 * so "only the owner writes" is checked object by object; every test ends with both restores equal to the source.
 */
class FleetClusterTest {
    private static final Duration VALIDITY = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T00:00:00Z"));
    private final InMemoryCoordinator.Service service = new InMemoryCoordinator.Service();
    /** Replica path (the database's file name) -> instances that put an object under it. */
    private final Map<String, Set<String>> writers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> putsBy = new ConcurrentHashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private volatile TierDecision onChange = TierDecision.STAY;

    /** One instance: its coordinator (claims counted), discovery, catalog, scheduler, fleet. */
    private final class Node implements AutoCloseable {
        final String name;
        final InMemoryCoordinator coordinator;
        final CountingCoordinator counted;
        final FleetManagerTest.FakeDiscovery discovery = new FleetManagerTest.FakeDiscovery();
        final ReplicaClient client;
        final Catalog catalog;
        final SyncScheduler scheduler = SyncScheduler.manual(clock);
        final FleetManager fleet;

        Node(String name) throws IOException {
            this(name, service.join(name, VALIDITY), FleetManagerTest::byFileName, counted -> { });
        }

        /**
         * An instance on {@code coordinator}, its destinations from {@code resolver}; {@code setup} sees the counting
         * coordinator before the fleet starts.
         */
        Node(String name, InMemoryCoordinator coordinator,
             java.util.function.Function<ReplicaClient, TargetResolver> resolver,
             java.util.function.Consumer<CountingCoordinator> setup) throws IOException {
            this.name = name;
            this.coordinator = coordinator;
            this.counted = new CountingCoordinator(coordinator);
            setup.accept(counted);
            this.client = recording(name, new FileReplicaClientProvider().create(Settings.of("test",
                    Map.of("root", dir.resolve("replica").toString()))));
            this.catalog = Catalog.open(dir.resolve("state-" + name));
            FleetOptions options = new FleetOptions(10, Duration.ofHours(1), 2, 2, Duration.ZERO,
                    EngineSettings.DEFAULTS, CompactionSettings.defaults(), Optional.empty());
            this.fleet = FleetManager.manual(discovery, List.of("/p/*"),
                    s -> s.tier() == Tier.COLD ? onChange : TierDecision.STAY, resolver.apply(client),
                    catalog, options, clock, scheduler, counted);
            nodes.add(this);
        }

        RowState state(Path db) {
            int id = fleet.table().find(db);
            return id < 0 ? null : fleet.table().state(id);
        }

        /** A watch event for each of {@code dbs}, then everything that follows. */
        void changed(List<Path> dbs) {
            dbs.forEach(discovery.listener::changed);
            fleet.runUntilIdle();
        }

        int puts() {
            return putsBy.computeIfAbsent(name, k -> new AtomicInteger()).get();
        }

        @Override
        public void close() throws Exception {
            fleet.close();
            scheduler.close();
            coordinator.close();
            catalog.close();
            client.close();
        }
    }

    @AfterEach
    void closeNodes() throws Exception {
        for (Node n : nodes.reversed()) {
            n.close();
        }
    }

    @Test
    void steadyState_everyDatabaseHasOneOwner_andOnlyItsOwnerWritesIt_ownedOnesNeverClaimAgain() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        List<Path> dbs = a.discovery.addWalDatabases(dir.resolve("data"), 6);
        b.discovery.dbs.addAll(dbs.subList(3, 6));
        a.discovery.dbs.removeAll(dbs.subList(3, 6)); // each starts with half of the directory
        a.fleet.runUntilIdle();
        b.fleet.runUntilIdle();
        assertEquals(1, a.counted.claims.get(), "three new databases, one claim request");
        a.discovery.dbs.addAll(dbs.subList(3, 6)); // then both see all of it
        b.discovery.dbs.addAll(dbs.subList(0, 3));
        a.changed(dbs);
        b.changed(dbs);
        long claimsA = a.counted.claims.get();
        long claimsB = b.counted.claims.get();

        for (Path db : dbs) {
            write(db, "more");
        }
        a.changed(dbs);
        b.changed(dbs);

        for (int i = 0; i < dbs.size(); i++) {
            Node owner = i < 3 ? a : b;
            Node other = i < 3 ? b : a;
            String name = dbs.get(i).getFileName().toString();
            assertEquals(Optional.of(owner.name), service.owner(location(owner, dbs.get(i))).map(Owner::instance),
                    name + ": owned by the instance that claimed it first");
            assertEquals(Set.of(owner.name), writers.get(name), name + ": written only by its owner");
            assertEquals(RowState.FOREIGN, other.state(dbs.get(i)), name + ": foreign on the other instance");
        }
        assertEquals(3, a.fleet.unreplicated().foreign(), "the status counts what the other instance holds");
        assertEquals(3, b.fleet.unreplicated().foreign());
        assertEquals(claimsA, a.counted.claims.get(), "owned databases changed again without a claim");
        assertEquals(claimsB, b.counted.claims.get(), "foreign databases changed without a claim");
        assertRestores(dbs);
    }

    @Test
    void ownedCountAndTokens_followTheClaims_andAreVoidOnceTheSessionIsLost() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        List<Path> dbs = sharedFirstSeenBy(a, b, 4);
        assertEquals(4, a.fleet.owned());
        assertEquals(0, a.fleet.unreplicated().foreign());
        assertEquals(0, b.fleet.owned());
        assertEquals(4, b.fleet.unreplicated().foreign());
        String scrape = new io.litefleet.core.metric.ReplicationMetrics(List.of(), Optional.of(b.fleet), List::of)
                .scrape();
        assertTrue(scrape.contains("litefleet_fleet_databases{tier=\"foreign\"} 4"), scrape);
        java.util.concurrent.CompletableFuture<long[]> tokens = a.fleet.tokens(dbs);
        a.fleet.runUntilIdle();
        long[] t = tokens.get(10, java.util.concurrent.TimeUnit.SECONDS);
        for (int i = 0; i < dbs.size(); i++) {
            assertEquals(service.owner(location(a, dbs.get(i))).orElseThrow().token(), t[i], dbs.get(i) + ": token");
            assertTrue(t[i] > 0, dbs.get(i) + ": owned with a token");
        }
        java.util.concurrent.CompletableFuture<long[]> theirs = b.fleet.tokens(dbs);
        b.fleet.runUntilIdle();
        assertEquals(List.of(0L, 0L, 0L, 0L), java.util.Arrays.stream(theirs.get(10,
                java.util.concurrent.TimeUnit.SECONDS)).boxed().toList(), "foreign rows hold no token");

        a.coordinator.advance(VALIDITY); // fenced: nothing counts as owned while no write may happen
        a.fleet.runUntilIdle();
        assertEquals(0, a.fleet.owned());
        int claims = a.counted.claims.get();
        a.coordinator.keepAlive(); // the same lease: every key is still held, with the same tokens
        for (Path db : dbs) {
            write(db, "after the session came back");
        }
        a.changed(dbs);
        assertEquals(4, a.fleet.owned(), "owned again, same session");
        assertEquals(claims, a.counted.claims.get(), "the same session's keys need no claim");
        assertRestores(dbs);
    }

    @Test
    void ownerSessionExpires_itsUploadsStop_andTheOtherInstanceTakesOverWithNothingLost() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        List<Path> dbs = sharedFirstSeenBy(a, b, 3);
        dbs.forEach(db -> assertEquals(RowState.FOREIGN, b.state(db), db + ": a holds it"));

        a.coordinator.advance(VALIDITY); // a's keep-alives go unanswered: it fences itself
        for (Path db : dbs) {
            write(db, "while a is fenced");
        }
        int putsBefore = a.puts();
        a.changed(dbs);
        assertEquals(putsBefore, a.puts(), "a fenced instance uploads nothing");
        dbs.forEach(db -> assertEquals(RowState.FOREIGN, b.state(db), db + ": not released before expiry"));

        a.coordinator.expire(); // the service ends a's lease: every key is released and announced
        b.fleet.runUntilIdle();
        for (Path db : dbs) {
            assertEquals(Optional.of("b"), service.owner(location(b, db)).map(Owner::instance), db + ": taken over");
            assertTrue(writers.get(db.getFileName().toString()).contains("b"), db + ": b uploaded it");
        }

        a.coordinator.keepAlive(); // a is back with a new session: it finds every database held by b
        a.changed(dbs);
        putsBefore = a.puts();
        for (Path db : dbs) {
            write(db, "after the takeover");
        }
        a.changed(dbs);
        b.changed(dbs);
        assertEquals(putsBefore, a.puts(), "the old owner uploads nothing after the takeover");
        dbs.forEach(db -> assertEquals(RowState.FOREIGN, a.state(db), db + ": foreign on the old owner"));
        assertRestores(dbs);
    }

    @Test
    void databaseMovedFromAToB_isClaimedByBOnceADeletesAndReleasesIt() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        Path inA = a.discovery.addWalDatabases(dir.resolve("host-a"), 1).get(0);
        a.fleet.runUntilIdle();
        assertEquals(RowState.COLD, a.state(inA));

        Path inB = moveToHostB(b, inA);
        b.fleet.runUntilIdle();
        assertEquals(RowState.FOREIGN, b.state(inB), "a still holds the replica location");

        int putsBefore = a.puts();
        a.changed(List.of(inA)); // a sees the deletion: final sync, then release
        assertEquals(RowState.DELETED, a.state(inA));
        b.fleet.runUntilIdle(); // b hears the release and claims at once
        assertEquals(Optional.of("b"), service.owner(location(b, inB)).map(Owner::instance));
        assertEquals(putsBefore, a.puts(), "a wrote nothing after the deletion");

        write(inB, "on host b");
        b.changed(List.of(inB));
        assertRestores(inB);
    }

    @Test
    void sessionLostAndRestoredCycles_hotAndCold_loseNothing() throws Exception {
        onChange = TierDecision.PROMOTE;
        Node a = new Node("a");
        List<Path> dbs = a.discovery.addWalDatabases(dir.resolve("data"), 3);
        a.fleet.runUntilIdle();
        for (Path db : dbs) {
            write(db, "promote");
        }
        a.changed(dbs);
        dbs.forEach(db -> assertEquals(RowState.HOT, a.state(db), db + ": hot"));

        for (int cycle = 0; cycle < 4; cycle++) {
            a.coordinator.advance(VALIDITY);
            for (Path db : dbs) {
                write(db, "while lost " + cycle);
            }
            int before = a.puts();
            clock.advance(Duration.ofSeconds(2));
            a.changed(dbs);
            assertEquals(before, a.puts(), "cycle " + cycle + ": nothing uploaded without a valid session");
            if (cycle == 2) {
                a.coordinator.expire(); // this time the lease ended: a new session, new tokens
            }
            a.coordinator.keepAlive();
            for (int step = 0; step < 4; step++) { // past the hot syncs' backoff after their fenced tries
                clock.advance(Duration.ofSeconds(5));
                a.changed(dbs);
            }
            assertTrue(a.puts() > before, "cycle " + cycle + ": uploads resume with the session");
        }
        for (Path db : dbs) {
            assertEquals(Optional.of("a"), service.owner(location(a, db)).map(Owner::instance));
            assertRestores(db);
        }
    }

    @Test
    void threadedFleets_ownershipEventsReachTheFleetThread_andTheOtherInstanceTakesOver() throws Exception {
        FleetManagerTest.FakeDiscovery da = new FleetManagerTest.FakeDiscovery();
        FleetManagerTest.FakeDiscovery db = new FleetManagerTest.FakeDiscovery();
        List<Path> dbs = da.addWalDatabases(dir.resolve("data"), 2);
        db.dbs.addAll(dbs);
        InMemoryCoordinator ca = service.join("a", VALIDITY);
        InMemoryCoordinator cb = service.join("b", VALIDITY);
        java.time.Clock system = java.time.Clock.systemUTC();
        FleetOptions options = new FleetOptions(10, Duration.ofHours(1), 2, 2, Duration.ZERO,
                EngineSettings.DEFAULTS, CompactionSettings.defaults(), Optional.empty());
        Settings root = Settings.of("test", Map.of("root", dir.resolve("replica").toString()));
        try (SyncScheduler sa = SyncScheduler.start(2, system); SyncScheduler sb = SyncScheduler.start(2, system);
             Catalog cata = Catalog.open(dir.resolve("state-a")); Catalog catb = Catalog.open(dir.resolve("state-b"));
             ReplicaClient clientA = recording("a", new FileReplicaClientProvider().create(root));
             ReplicaClient clientB = recording("b", new FileReplicaClientProvider().create(root))) {
            TargetResolver ra = FleetManagerTest.byFileName(clientA);
            FleetManager fa = FleetManager.start(da, List.of("/p/*"), s -> TierDecision.STAY, ra, cata, options,
                    system, sa, ca);
            FleetManager fb = null;
            try {
                Await.until(Duration.ofSeconds(20), "a captures both", () -> dbs.stream().allMatch(p ->
                        present(cata, p)));
                fb = FleetManager.start(db, List.of("/p/*"), s -> TierDecision.STAY,
                        FleetManagerTest.byFileName(clientB), catb, options, system, sb, cb);
                FleetManager b = fb;
                Await.until(Duration.ofSeconds(20), "b leaves both to a", () -> b.unreplicated().foreign() == 2);

                ca.expire(); // on this thread, as a coordinator's own thread would: b's fleet thread takes it from here
                Await.until(Duration.ofSeconds(20), "b takes both over", () -> dbs.stream().allMatch(p ->
                        present(catb, p) && service.owner(locationOf(ra, p)).map(Owner::instance)
                                .equals(Optional.of("b"))));
                int putsA = putsBy.get("a").get();
                for (Path p : dbs) {
                    write(p, "after the takeover");
                    da.listener.changed(p);
                    db.listener.changed(p);
                }
                Await.until(Duration.ofSeconds(20), "b ships the change", () -> dbs.stream().allMatch(p ->
                        txid(catb, p) >= 3));
                assertEquals(putsA, putsBy.get("a").get(), "a, whose session ended, wrote nothing more");
            } finally {
                fa.close();
                if (fb != null) {
                    fb.close();
                }
                ca.close();
                cb.close();
            }
        }
        assertRestores(dbs);
    }

    @Test
    void sameSessionBackAfterABlip_aDatabaseDeletedThenIsStillReleased() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        Path inA = a.discovery.addWalDatabases(dir.resolve("host-a"), 1).get(0);
        a.fleet.runUntilIdle();
        a.coordinator.advance(VALIDITY); // keep-alives unanswered for a while: fenced ...
        a.fleet.runUntilIdle();
        a.coordinator.keepAlive(); // ... then answered again before the lease ended: the same session
        a.fleet.runUntilIdle();
        Path inB = moveToHostB(b, inA);
        b.fleet.runUntilIdle();
        assertEquals(RowState.FOREIGN, b.state(inB), "a still holds the replica location");

        a.changed(List.of(inA)); // a sees the deletion: final sync, then release under the same session
        assertEquals(RowState.DELETED, a.state(inA));
        b.fleet.runUntilIdle();
        assertEquals(Optional.of("b"), service.owner(location(b, inB)).map(Owner::instance),
                "released after the blip, taken by b");
        write(inB, "on host b");
        b.changed(List.of(inB));
        assertRestores(inB);
    }

    @Test
    void releasesMissed_everyForeignRowIsClaimedAgain() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        List<Path> dbs = sharedFirstSeenBy(a, b, 2);
        dbs.forEach(db -> assertEquals(RowState.FOREIGN, b.state(db), db + ": a holds it"));
        Path freed = dbs.get(0);
        service.forget(location(b, freed)); // its key goes, but the event never reaches b
        b.fleet.runUntilIdle();
        assertEquals(RowState.FOREIGN, b.state(freed), "no event, no claim");

        b.coordinator.missReleases(); // b's watch says it lost history
        b.fleet.runUntilIdle();
        assertEquals(Optional.of("b"), service.owner(location(b, freed)).map(Owner::instance), "claimed by b");
        assertTrue(b.state(freed) != RowState.FOREIGN, "replicated by b: " + b.state(freed));
        assertEquals(RowState.FOREIGN, b.state(dbs.get(1)), "the one a still holds is tried and stays foreign");
        assertEquals(Optional.of("a"), service.owner(location(b, dbs.get(1))).map(Owner::instance));
        assertRestores(dbs);
    }

    @Test
    void changeArrivingWhileFenced_waits_andGoesOutWhenTheSameSessionReturns_withNoFurtherChange() throws Exception {
        Node a = new Node("a");
        Path db = a.discovery.addWalDatabases(dir.resolve("data"), 1).get(0);
        a.fleet.runUntilIdle();
        int claims = a.counted.claims.get();
        a.coordinator.advance(VALIDITY); // fenced
        write(db, "while fenced");
        a.changed(List.of(db));
        int puts = a.puts();
        a.coordinator.keepAlive(); // the same session
        a.fleet.runUntilIdle(); // no new change, no clock step
        assertTrue(a.puts() > puts, "the waiting change went out as soon as the session was back");
        assertEquals(claims, a.counted.claims.get(), "the same session's key needed no claim");
        assertRestores(db);
    }

    @Test
    void sessionGrantedJustBeforeTheFleetListens_isNotMissed() throws Exception {
        InMemoryCoordinator c = service.join("a", VALIDITY);
        c.expire(); // the fleet is built on a session that is gone: it starts fenced
        Node a = new Node("a", c, FleetManagerTest::byFileName, counted -> counted.beforeListen = c::keepAlive);
        Path db = a.discovery.addWalDatabases(dir.resolve("data"), 1).get(0);
        a.fleet.runUntilIdle();
        assertEquals(Optional.of("a"), service.owner(location(a, db)).map(Owner::instance), "claimed");
        assertEquals(Set.of("a"), writers.get(db.getFileName().toString()), "replicated");
        assertRestores(db);
    }

    @Test
    void databaseGoneAndBackAtTheSameLocation_whileItsReleaseWaits_isClaimedAfreshAfterIt() throws Exception {
        Node a = new Node("a");
        Path first = a.discovery.addWalDatabases(dir.resolve("d1"), 1).get(0);
        a.fleet.runUntilIdle();
        String where = location(a, first);
        long before = service.owner(where).orElseThrow().token();

        service.available(false);
        Path second = move(first, dir.resolve("d2"));
        a.changed(List.of(first)); // gone: its release fails and waits for its backoff
        assertEquals(1, a.fleet.unreleased());
        service.available(true);
        a.discovery.dbs.add(second);
        a.changed(List.of(second)); // back, same file name, same location, before the release went out
        assertEquals(before, service.owner(where).orElseThrow().token(), "not claimed under the old key");

        clock.advance(Duration.ofMinutes(2)); // the release goes out, then the claim
        a.fleet.runUntilIdle();
        Owner now = service.owner(where).orElseThrow();
        assertEquals("a", now.instance());
        assertTrue(now.token() > before, "a fresh key, not the released one: " + now);
        write(second, "after the move");
        a.changed(List.of(second));
        assertEquals(now, service.owner(where).orElseThrow(), "still held while it replicates");
        assertRestores(second);
    }

    @Test
    void rowWithOneOfItsTwoLocationsHeldElsewhere_waitsQuietly_andIsClaimedWhenItIsFree() throws Exception {
        Node a = new Node("a", service.join("a", VALIDITY), FleetClusterTest::twoDestinations, counted -> { });
        Path db = a.discovery.addWalDatabases(dir.resolve("data"), 1).get(0);
        String first = location(a, db);
        Ownable second = new Ownable(first + ".second", db.toString());
        InMemoryCoordinator c = service.join("c", VALIDITY);
        try {
            long token = ((Claim.Owned) c.claim(List.of(second)).get(0)).token();
            a.fleet.runUntilIdle(); // settles: its own give-back of the free location does not wake it again
            assertEquals(RowState.FOREIGN, a.state(db));
            assertEquals(1, a.counted.claims.get(), "one claim");
            assertEquals(Optional.empty(), service.owner(first), "the free location was given back");

            c.release(second, token);
            a.fleet.runUntilIdle();
            assertEquals(Optional.of("a"), service.owner(first).map(Owner::instance));
            assertEquals(Optional.of("a"), service.owner(second.location()).map(Owner::instance));
        } finally {
            c.close();
        }
        assertRestores(db);
    }

    @Test
    void hotDatabaseExcluded_releasesItsLocationAfterItsFinalSync() throws Exception {
        Node a = new Node("a");
        Path db = hotDatabase(a, dir.resolve("data"));
        String where = location(a, db);
        a.changed(a.discovery.addWalDatabases(dir.resolve("data2"), 1)); // the same replica path
        assertEquals(RowState.EXCLUDED, a.state(db));
        assertEquals(Optional.empty(), service.owner(where), "released once its final sync ran");
        assertRestores(db);
    }

    @Test
    void hotDatabaseGoneAndBackAtTheSameLocation_waitsForTheOldRowsFinalSyncAndRelease() throws Exception {
        Node a = new Node("a");
        Path first = hotDatabase(a, dir.resolve("d1"));
        String where = location(a, first);
        long before = service.owner(where).orElseThrow().token();

        Path second = move(first, dir.resolve("d2"));
        a.discovery.dbs.add(second);
        a.changed(List.of(first, second)); // the old row's final sync and the new row's claim in one step
        assertEquals(RowState.DELETED, a.state(first));
        Owner now = service.owner(where).orElseThrow();
        assertTrue(now.token() > before, "a fresh key after the old row's release, not the one it released: " + now);
        assertEquals("a", now.instance());
        write(second, "after the move");
        a.changed(List.of(second));
        assertEquals(now, service.owner(where).orElseThrow(), "still held while it replicates");
        assertRestores(second);
    }

    /** A new database in {@code data}, captured by {@code n} and then written: hot there. */
    private Path hotDatabase(Node n, Path data) throws Exception {
        onChange = TierDecision.PROMOTE;
        Path db = n.discovery.addWalDatabases(data, 1).get(0);
        n.fleet.runUntilIdle();
        write(db, "promote");
        n.changed(List.of(db));
        assertEquals(RowState.HOT, n.state(db));
        return db;
    }

    /** Two destinations per database: its file name, and the same with {@code .second}. */
    private static TargetResolver twoDestinations(ReplicaClient client) {
        TargetResolver one = FleetManagerTest.byFileName(client);
        return new TargetResolver() {
            @Override
            public String replicaPath(io.litefleet.api.discovery.DiscoveredDatabase db) {
                return one.replicaPath(db);
            }

            @Override
            public io.litefleet.core.replica.ReplicaTarget resolve(io.litefleet.api.discovery.DiscoveredDatabase db)
                    throws IOException {
                return one.resolve(db);
            }

            @Override
            public List<io.litefleet.core.replica.ReplicaTarget> resolveAll(
                    io.litefleet.api.discovery.DiscoveredDatabase db) throws IOException {
                var t = one.resolve(db);
                return List.of(t, new io.litefleet.core.replica.ReplicaTarget(t.client(), t.layout(),
                        t.path() + ".second"));
            }
        };
    }

    @Test
    void releaseThatFails_isSentAgainOnceTheServiceAnswers() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        Path inA = a.discovery.addWalDatabases(dir.resolve("host-a"), 1).get(0);
        a.fleet.runUntilIdle();
        Path inB = moveToHostB(b, inA);
        b.fleet.runUntilIdle();
        assertEquals(RowState.FOREIGN, b.state(inB));

        service.available(false);
        a.changed(List.of(inA)); // deleted while the service is unreachable: the release fails
        assertEquals(RowState.DELETED, a.state(inA));
        assertEquals(1, a.fleet.unreleased(), "the failed release is kept");
        assertEquals(Optional.of("a"), service.owner(location(b, inB)).map(Owner::instance));

        service.available(true);
        clock.advance(Duration.ofMinutes(2)); // past any backoff
        a.fleet.runUntilIdle();
        assertEquals(0, a.fleet.unreleased());
        b.fleet.runUntilIdle();
        assertEquals(Optional.of("b"), service.owner(location(b, inB)).map(Owner::instance), "released, taken by b");
        write(inB, "on host b");
        b.changed(List.of(inB));
        assertRestores(inB);
    }

    @Test
    void releaseHeardBeforeTheClaimsHeldAnswer_theRowIsClaimedAgain_notLeftForeign() throws Exception {
        Node b = new Node("b");
        Path db = b.discovery.addWalDatabases(dir.resolve("data"), 1).get(0);
        InMemoryCoordinator c = service.join("c", VALIDITY);
        try {
            Ownable own = new Ownable(location(b, db), db.toString());
            long token = ((Claim.Owned) c.claim(List.of(own)).get(0)).token();
            // c answers b's claim "held by c", then lets go before b's fleet thread reads that answer.
            b.counted.afterNextClaim.set(() -> c.release(own, token));
            b.fleet.runUntilIdle();
            assertEquals(2, b.counted.claims.get(), "the held answer was followed by a second claim");
            assertEquals(Optional.of("b"), service.owner(own.location()).map(Owner::instance));
            assertTrue(b.state(db) != RowState.FOREIGN, "not foreign: " + b.state(db));
            assertEquals(Set.of("b"), writers.get(db.getFileName().toString()), "b replicated it");
        } finally {
            c.close();
        }
        assertRestores(db);
    }

    @Test
    void claimAnsweredUnderASessionThatEndedMeanwhile_isClaimedAgainUnderTheNewOne() throws Exception {
        Node b = new Node("b");
        Path db = b.discovery.addWalDatabases(dir.resolve("data"), 1).get(0);
        b.counted.afterNextClaim.set(() -> { // the lease ends and a new one is granted before the answer is read
            b.coordinator.expire();
            b.coordinator.keepAlive();
        });
        long first = b.coordinator.session().id();
        b.fleet.runUntilIdle();
        assertTrue(b.coordinator.session().id() != first, "a new session");
        assertEquals(2, b.counted.claims.get(), "claimed again under the new session");
        assertEquals(Optional.of("b"), service.owner(location(b, db)).map(Owner::instance));
        assertEquals(Set.of("b"), writers.get(db.getFileName().toString()), "replicated under the new session");
        write(db, "more");
        b.changed(List.of(db));
        assertEquals(1, b.fleet.owned());
        assertRestores(db);
    }

    @Test
    void ownedDatabaseExcluded_byAReplicaPathCollision_releasesItsLocation() throws Exception {
        Node a = new Node("a");
        Path db = a.discovery.addWalDatabases(dir.resolve("data"), 1).get(0);
        a.fleet.runUntilIdle();
        String where = location(a, db);
        assertEquals(Optional.of("a"), service.owner(where).map(Owner::instance));
        a.changed(a.discovery.addWalDatabases(dir.resolve("data2"), 1)); // the same name: the same replica path
        assertEquals(RowState.EXCLUDED, a.state(db));
        assertEquals(Optional.empty(), service.owner(where), "an excluded database holds no location");
        assertRestores(db); // what it uploaded before is still whole
    }

    @Test
    void restartedInstance_holdsItsUnchangedColdDatabasesAgain() throws Exception {
        Node a = new Node("a");
        List<Path> dbs = a.discovery.addWalDatabases(dir.resolve("data"), 3);
        a.fleet.runUntilIdle();
        a.close(); // revokes: every key goes
        nodes.remove(a);
        for (Path db : dbs) {
            assertEquals(Optional.empty(), serviceOwner(a, db));
        }

        Node again = new Node("a"); // same catalog, same unchanged files: no pass is due
        again.discovery.dbs.addAll(dbs);
        int putsBefore = again.puts();
        again.fleet.runUntilIdle();
        assertEquals(putsBefore, again.puts(), "nothing to upload");
        assertEquals(1, again.counted.claims.get(), "one claim request for the three");
        for (Path db : dbs) {
            assertEquals(Optional.of("a"), serviceOwner(again, db).map(Owner::instance), db + ": held again");
        }
        Node b = new Node("b");
        b.discovery.dbs.addAll(dbs);
        b.fleet.runUntilIdle();
        dbs.forEach(db -> assertEquals(RowState.FOREIGN, b.state(db), db + ": foreign on b"));
        assertRestores(dbs);
    }

    private Optional<Owner> serviceOwner(Node n, Path db) throws IOException {
        return service.owner(location(n, db));
    }

    /** Moves {@code inA} (with its -wal and -shm) to host b's directory, as a volume moves, and lets b find it. */
    private Path moveToHostB(Node b, Path inA) throws IOException {
        Path inB = move(inA, dir.resolve("host-b"));
        b.discovery.dbs.add(inB);
        return inB;
    }

    /** Moves {@code db} with its -wal and -shm into {@code to}; its new path. */
    private static Path move(Path db, Path to) throws IOException {
        Path moved = to.resolve(db.getFileName());
        Files.createDirectories(to);
        for (String suffix : List.of("", "-wal", "-shm")) {
            Path from = Path.of(db + suffix);
            if (Files.exists(from)) {
                Files.move(from, Path.of(moved + suffix));
            }
        }
        return moved;
    }

    private static boolean present(Catalog catalog, Path db) {
        return txid(catalog, db) > 0;
    }

    private static long txid(Catalog catalog, Path db) {
        try {
            return catalog.get(db.toString()).map(r -> r.txid()).orElse(0L);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String locationOf(TargetResolver resolver, Path db) {
        try {
            return resolver.resolve(new FleetManagerTest.FakeDiscovery().match(db)).describe();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void manyNewDatabases_areClaimedInBatchesOf128() throws Exception {
        Node a = new Node("a");
        for (int i = 0; i < 300; i++) { // no file behind them: claimed, then refused by their pass
            a.discovery.virtual.add(dir.resolve("v" + i + ".db"));
            a.discovery.dbs.add(dir.resolve("v" + i + ".db"));
        }
        a.fleet.runUntilIdle();
        assertEquals(3, a.counted.claims.get(), "300 locations in requests of at most 128");
        assertEquals(300, a.coordinator.owners("", 1000).size());
    }

    @Test
    void withoutACluster_noClaimIsMade() throws Exception {
        FleetManagerTest.FakeDiscovery discovery = new FleetManagerTest.FakeDiscovery();
        List<Path> dbs = discovery.addWalDatabases(dir.resolve("data"), 3);
        SyncScheduler scheduler = SyncScheduler.manual(clock);
        try (Catalog catalog = Catalog.open(dir.resolve("state"));
             ReplicaClient client = recording("solo", new FileReplicaClientProvider().create(
                     Settings.of("test", Map.of("root", dir.resolve("replica").toString()))))) {
            FleetManager fleet = FleetManager.manual(discovery, List.of("/p/*"), s -> TierDecision.STAY,
                    FleetManagerTest.byFileName(client), catalog, new FleetOptions(10, Duration.ofHours(1), 2, 2,
                            Duration.ZERO, EngineSettings.DEFAULTS, CompactionSettings.defaults(), Optional.empty()),
                    clock, scheduler, SingleNodeCoordinator.of("solo"));
            try {
                fleet.runUntilIdle();
                assertEquals(0, fleet.claimRequests(), "single-node mode claims nothing");
                for (Path db : dbs) {
                    assertEquals(0, fleet.table().token(fleet.table().find(db)), db + ": no token");
                    assertEquals(Set.of("solo"), writers.get(db.getFileName().toString()), db + ": replicated");
                }
            } finally {
                fleet.close();
                scheduler.close();
            }
        }
        assertRestores(dbs);
    }

    /** {@code n} new databases that both instances see, {@code first} before {@code second} (so it owns them). */
    private List<Path> sharedFirstSeenBy(Node first, Node second, int n) throws Exception {
        List<Path> dbs = first.discovery.addWalDatabases(dir.resolve("data"), n);
        second.discovery.dbs.addAll(dbs);
        first.fleet.runUntilIdle();
        second.fleet.runUntilIdle();
        return dbs;
    }

    private static String location(Node n, Path db) throws IOException {
        return FleetManagerTest.byFileName(n.client).resolve(n.discovery.match(db)).describe();
    }

    private static void write(Path db, String v) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "INSERT INTO t VALUES ('" + v + "')");
        }
    }

    private void assertRestores(List<Path> dbs) throws Exception {
        for (Path db : dbs) {
            assertRestores(db);
        }
    }

    private void assertRestores(Path db) throws Exception {
        BothRestores.assertRestore(dir, dir.resolve("replica").resolve(db.getFileName().toString()),
                DbContent.hash(db), db.toString());
    }

    /** A coordinator that counts claim requests, and can do something once just after a claim is answered. */
    private static final class CountingCoordinator implements Coordinator {
        final Coordinator d;
        final AtomicInteger claims = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicReference<ThrowingRunnable> afterNextClaim =
                new java.util.concurrent.atomic.AtomicReference<>();
        volatile ThrowingRunnable beforeListen;

        CountingCoordinator(Coordinator d) {
            this.d = d;
        }

        public String instanceId() {
            return d.instanceId();
        }

        public Session session() {
            return d.session();
        }

        public List<Claim> claim(List<Ownable> batch) throws CoordinationException {
            claims.incrementAndGet();
            List<Claim> out = d.claim(batch);
            ThrowingRunnable then = afterNextClaim.getAndSet(null);
            if (then != null) {
                try {
                    then.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return out;
        }

        public void release(Ownable location, long token) throws CoordinationException {
            d.release(location, token);
        }

        public List<Owner> owners(String after, int limit) throws CoordinationException {
            return d.owners(after, limit);
        }

        public void listen(OwnershipListener listener) {
            if (beforeListen != null) {
                try {
                    beforeListen.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            d.listen(listener);
        }

        public void close() {
            d.close();
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * {@code d}, recording which instance put each object, by replica path (the first key segment). A proxy: every
     * other call goes to {@code d} as it is.
     */
    private ReplicaClient recording(String instance, ReplicaClient d) {
        return (ReplicaClient) java.lang.reflect.Proxy.newProxyInstance(ReplicaClient.class.getClassLoader(),
                new Class<?>[] {ReplicaClient.class}, (proxy, method, args) -> {
                    Object out;
                    try {
                        out = method.invoke(d, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("put")) {
                        String key = (String) args[0];
                        writers.computeIfAbsent(key.substring(0, key.indexOf('/')),
                                k -> ConcurrentHashMap.newKeySet()).add(instance);
                        putsBy.computeIfAbsent(instance, k -> new AtomicInteger()).incrementAndGet();
                    }
                    return out;
                });
    }
}
