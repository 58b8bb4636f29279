package io.litefleet.core.fleet;

import io.litefleet.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.discovery.DiscoveryListener;
import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.tier.Tier;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.api.tier.TieringPolicy;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.InMemoryReplicaClient;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FleetManager event sequences that need control over timing: a fake discovery, an in-memory store that can fail,
 * and a held sync worker to keep a pass in flight. Found by review; each failed before its fix.
 */
class FleetManagerTest {
    @TempDir
    Path dir;

    /** Discovery over an explicit list of paths; virtual ones "exist" with a fixed fingerprint. */
    static final class FakeDiscovery implements Discovery {
        final List<Path> dbs = new CopyOnWriteArrayList<>();
        final List<Path> virtual = new CopyOnWriteArrayList<>();
        volatile CountDownLatch scanGate = new CountDownLatch(0);
        final AtomicInteger scansStarted = new AtomicInteger();
        volatile DiscoveryListener listener;
        volatile boolean watchable = true;
        /** Paths whose probe fails with an I/O error, like a full file table would. */
        final Set<Path> failingProbes = new CopyOnWriteArraySet<>();

        /** Creates {@code n} WAL databases {@code t<i>.db} in {@code data}, one row each, and finds them. */
        List<Path> addWalDatabases(Path data, int n) throws Exception {
            Files.createDirectories(data);
            List<Path> made = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Path db = data.resolve("t" + i + ".db");
                try (Connection c = SqliteFiles.open(db)) {
                    SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)",
                            "INSERT INTO t VALUES ('row of " + db.getFileName() + "')");
                }
                made.add(db);
            }
            dbs.addAll(made);
            return made;
        }

        @Override
        public void scan(Consumer<DiscoveredDatabase> sink, Predicate<Path> verified) throws IOException {
            scansStarted.incrementAndGet();
            try {
                scanGate.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            for (Path p : dbs) {
                DiscoveredDatabase d = probe(p, false);
                if (d != null) {
                    sink.accept(d);
                }
            }
        }

        @Override
        public DiscoveredDatabase probe(Path p, boolean readHeader) throws IOException {
            if (failingProbes.contains(p)) {
                throw new IOException(p + ": Too many open files (test)");
            }
            if (virtual.contains(p)) {
                return new DiscoveredDatabase(p, "/p/*", Map.of("db", p.getFileName().toString()),
                        new FileFingerprint(4096, 1, 0, 0));
            }
            if (!Files.isRegularFile(p)) {
                return null;
            }
            Path wal = Path.of(p + "-wal");
            long walSize = Files.exists(wal) ? Files.size(wal) : 0;
            long walMtime = Files.exists(wal) ? Files.getLastModifiedTime(wal).to(TimeUnit.NANOSECONDS) : 0;
            return new DiscoveredDatabase(p, "/p/*", Map.of("db", p.getFileName().toString()),
                    new FileFingerprint(Files.size(p), Files.getLastModifiedTime(p).to(TimeUnit.NANOSECONDS),
                            walSize, walMtime));
        }

        @Override
        public DiscoveredDatabase match(Path p) {
            return new DiscoveredDatabase(p, "/p/*", Map.of("db", p.getFileName().toString()), FileFingerprint.ABSENT);
        }

        @Override
        public boolean watch(DiscoveryListener l) {
            listener = l;
            return watchable;
        }

        @Override
        public Map<String, List<String>> variableNames() {
            return Map.of("/p/*", List.of("db"));
        }

        @Override
        public void close() {
        }
    }

    /** A store whose puts can be made to fail. */
    static final class SwitchableClient implements ReplicaClient {
        final InMemoryReplicaClient d = InMemoryReplicaClient.create(Clock.systemUTC());
        volatile boolean failPuts;

        public String type() {
            return d.type();
        }

        public String describe() {
            return "switchable";
        }

        public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
            if (failPuts) {
                throw new ReplicaException(ReplicaFailure.UNAVAILABLE, "store unavailable (test)");
            }
            return d.put(key, body, options);
        }

        public InputStream get(String key) throws ReplicaException {
            return d.get(key);
        }

        public InputStream get(String key, long offset, long length) throws ReplicaException {
            return d.get(key, offset, length);
        }

        public Optional<ObjectInfo> stat(String key) throws ReplicaException {
            return d.stat(key);
        }

        public List<ObjectInfo> list(String prefix) throws ReplicaException {
            return d.list(prefix);
        }

        public void delete(Collection<String> keys) throws ReplicaException {
            d.delete(keys);
        }

        public void close() {
        }
    }

    volatile TierDecision coldDecision = TierDecision.STAY;
    volatile TierDecision hotDecision = TierDecision.STAY;
    final FakeDiscovery discovery = new FakeDiscovery();
    final SwitchableClient client = new SwitchableClient();

    private FleetManager start(Catalog catalog) throws IOException {
        TieringPolicy policy = s -> s.tier() == Tier.COLD ? coldDecision : hotDecision;
        TargetResolver resolver = byFileName(client);
        FleetOptions options = new FleetOptions(10, Duration.ofHours(1), 1, 2, Duration.ZERO,
                EngineSettings.DEFAULTS, CompactionSettings.defaults(), Optional.empty());
        return FleetManager.start(discovery, List.of("/p/*"), policy, resolver, catalog, options, Clock.systemUTC());
    }

    /** Each database replicates to {@code client} under its file name (the discovery's {@code db} variable). */
    static TargetResolver byFileName(ReplicaClient client) {
        return new TargetResolver() {
            @Override
            public String replicaPath(DiscoveredDatabase db) {
                return db.variables().get("db");
            }

            @Override
            public ReplicaTarget resolve(DiscoveredDatabase db) {
                return new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, replicaPath(db));
            }
        };
    }

    private interface FleetBody {
        void run(FleetManager fleet, Catalog catalog) throws Exception;
    }

    /** Runs {@code body} against a fleet started on a fresh catalog, closing both after. */
    private void withFleet(FleetBody body) throws Exception {
        try (Catalog catalog = Catalog.open(dir.resolve("state"))) {
            FleetManager fleet = start(catalog);
            try {
                body.run(fleet, catalog);
            } finally {
                fleet.close();
            }
        }
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        Await.until(Duration.ofSeconds(20), what, cond);
    }

    /** Occupies the single sync worker until the returned latch is counted down. */
    private static CountDownLatch holdWorker(FleetManager fleet) {
        return holdWorker(fleet, new CountDownLatch(1));
    }

    /** As {@link #holdWorker(FleetManager)}; {@code started} is counted down once the worker is held. */
    private static CountDownLatch holdWorker(FleetManager fleet, CountDownLatch started) {
        CountDownLatch release = new CountDownLatch(1);
        fleet.scheduler().onWorker(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        return release;
    }

    private static long txid(Catalog catalog, Path db) {
        try {
            return catalog.get(db.toString()).map(p -> p.txid()).orElse(0L);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void write(Path db, String... sql) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, sql);
        }
    }

    @Test
    void refusedPass_withAPromotionWaiting_staysRefused_andOneReplicatorOnceFixed() throws Exception {
        Path x = dir.resolve("x.db");
        write(x, "CREATE TABLE t(v)"); // rollback journal: the engine refuses it
        discovery.dbs.add(x);
        discovery.scanGate = new CountDownLatch(1);
        withFleet((fleet, catalog) -> {
            await(() -> discovery.scansStarted.get() == 1, "first scan");
            CountDownLatch release = holdWorker(fleet);
            discovery.scanGate.countDown();
            await(() -> fleet.status().transients() == 1, "transient pass queued");
            coldDecision = TierDecision.PROMOTE; // a change while the pass holds the row wants it hot
            write(x, "INSERT INTO t VALUES (1)");
            discovery.listener.changed(x);
            fleet.barrier();
            release.countDown(); // the pass runs and is refused (not WAL)
            await(() -> fleet.status().running() == 0 && fleet.status().excluded() == 1, "pass refused");
            fleet.barrier();
            assertEquals(0, fleet.status().hot(), "a refused database is not promoted");
            assertEquals(RowState.REFUSED, fleet.table().state(0));
            write(x, "PRAGMA journal_mode=WAL", "INSERT INTO t VALUES (2)"); // fixed
            discovery.listener.changed(x);
            await(() -> fleet.status().hot() == 1, "promoted once fixed");
            fleet.barrier();
            assertEquals(RowState.HOT, fleet.table().state(0));
            assertEquals(1, fleet.scheduler().size(), "one replicator for the one database");
        });
    }

    @Test
    void failedFinalSyncAtDemotion_isShippedByATransientPassOnceTheStoreIsBack() throws Exception {
        Path y = dir.resolve("y.db");
        write(y, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)");
        discovery.dbs.add(y);
        withFleet((fleet, catalog) -> {
            await(() -> fleet.status().transients() == 1 && fleet.status().running() == 0, "first capture");
            coldDecision = TierDecision.PROMOTE;
            write(y, "INSERT INTO t VALUES (1)");
            discovery.listener.changed(y);
            await(() -> fleet.status().hot() == 1, "promoted");
            await(() -> txid(catalog, y) >= 2, "first commit shipped");
            long shipped = txid(catalog, y);
            client.failPuts = true; // outage
            write(y, "INSERT INTO t VALUES (2)"); // a commit only the WAL holds
            long transientsBefore = fleet.status().transients();
            hotDecision = TierDecision.DEMOTE;
            await(() -> fleet.status().demotions() == 1, "demoted during the outage");
            await(() -> fleet.status().transients() > transientsBefore, "the failed final sync re-queued");
            client.failPuts = false; // outage over
            await(() -> txid(catalog, y) > shipped, "the commit reached the replica");
        });
    }

    @Test
    void aFileNameTheTableCannotHold_isSkippedAlone_andTheTreeIsWalkedOnce() throws Exception {
        Path good = dir.resolve("good.db");
        write(good, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)");
        Path bad = dir.resolve("\uFFFD".repeat(100) + ".db"); // 303 bytes in UTF-8
        Path later = dir.resolve("later.db");
        write(later, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)");
        discovery.virtual.add(bad);
        discovery.dbs.addAll(List.of(good, bad, later));
        withFleet((fleet, catalog) -> {
            await(() -> fleet.status().known() == 2 && fleet.status().transients() == 2, "both captured");
            fleet.barrier();
            assertEquals(1, discovery.scansStarted.get(), "the tree is walked once per scan interval");
        });
    }

    @Test
    void deletedDuringItsPass_staysDeleted_andOnReappearanceIsCheckedForCollisions() throws Exception {
        Path a = dir.resolve("d1").resolve("x.db");
        Path b = dir.resolve("d2").resolve("x.db"); // the same replica path "x.db"
        Files.createDirectories(a.getParent());
        Files.createDirectories(b.getParent());
        write(a, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)");
        discovery.dbs.add(a);
        discovery.scanGate = new CountDownLatch(1);
        withFleet((fleet, catalog) -> {
            await(() -> discovery.scansStarted.get() == 1, "first scan");
            CountDownLatch release = holdWorker(fleet);
            discovery.scanGate.countDown();
            await(() -> fleet.status().transients() == 1, "pass on d1/x.db queued");
            for (String suffix : List.of("", "-wal", "-shm")) {
                Files.deleteIfExists(Path.of(a + suffix));
            }
            discovery.listener.changed(a);
            await(() -> fleet.status().deleted() == 1, "d1/x.db deleted");
            release.countDown(); // the pass fails: database file not found
            await(() -> fleet.status().running() == 0, "pass ended");
            fleet.barrier();
            assertEquals(RowState.DELETED, fleet.table().state(0), "a pass never overrides a deletion");
            write(b, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)");
            discovery.dbs.add(b);
            discovery.listener.changed(b);
            await(() -> fleet.status().known() == 2, "d2/x.db known");
            write(a, "PRAGMA journal_mode=WAL", "CREATE TABLE u(v)"); // d1/x.db recreated
            discovery.listener.changed(a);
            await(() -> fleet.status().excluded() == 2, "both databases on replica path x.db excluded");
        });
    }

    @Test
    void hotDatabases_holdThreeDescriptorsEach_andThreadsDoNotGrowWithThem() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds),
                "needs /proc/self/fd (Linux) to count descriptors");
        Path data = Files.createDirectories(dir.resolve("data"));
        int n = 6;
        for (int i = 0; i < n; i++) {
            Path db = data.resolve("h" + i + ".db");
            write(db, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)");
            discovery.dbs.add(db);
        }
        withFleet((fleet, catalog) -> {
            await(() -> fleet.status().transients() == n && fleet.status().running() == 0, "first captures");
            coldDecision = TierDecision.PROMOTE;
            for (int i = 0; i < n; i++) {
                Path db = data.resolve("h" + i + ".db");
                // The writer's close checkpoints and deletes the WAL: opening must read the database file.
                write(db, "INSERT INTO t VALUES (1)");
                discovery.listener.changed(db);
            }
            await(() -> fleet.status().hot() == n, "all promoted");
            for (int i = 0; i < n; i++) {
                Path db = data.resolve("h" + i + ".db");
                await(() -> txid(catalog, db) >= 2, "promotion sync of " + db);
            }
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = holdWorker(fleet, held); // no sync runs while we count
            try {
                assertTrue(held.await(20, TimeUnit.SECONDS), "worker held");
                long open = 0;
                try (var entries = Files.list(fds)) {
                    for (Path fd : (Iterable<Path>) entries::iterator) {
                        try {
                            if (Files.readSymbolicLink(fd).startsWith(data)) {
                                open++;
                            }
                        } catch (IOException gone) {
                            // closed while listing (the listing's own descriptor)
                        }
                    }
                }
                assertEquals(3L * n, open, "database, -wal and -shm per hot database, nothing else");
            } finally {
                release.countDown();
            }
            long syncThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("litefleet-sync-")).count();
            assertTrue(syncThreads <= 1, "one sync worker configured, " + syncThreads + " threads for " + n
                    + " hot databases");
        });
    }
}
