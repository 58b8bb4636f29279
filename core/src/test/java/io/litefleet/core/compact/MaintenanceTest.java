package io.litefleet.core.compact;

import io.litefleet.testkit.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.testkit.FaultyReplicaClient;
import io.litefleet.testkit.FaultyReplicaClient.Fault;
import io.litefleet.testkit.FaultyReplicaClient.Operation;
import io.litefleet.testkit.InMemoryReplicaClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MaintenanceTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration STEP = Duration.ofSeconds(5);
    private static final CompactionSettings DEFAULTS = CompactionSettings.defaults();

    /** One database, its replica, the maintenance under test and a simulated engine, stepped by a clock. */
    private static final class Scenario {
        final MutableClock clock = new MutableClock(T0);
        final InMemoryReplicaClient store = InMemoryReplicaClient.create(clock);
        final FaultyReplicaClient counted;
        final ReplicaTarget engineTarget;
        final ReplicaTarget target;
        final Maintenance maintenance;
        final SimulatedDatabase db;
        final SplittableRandom rnd;
        final RecentUploads recent;
        final List<Timed> written = new ArrayList<>();
        final List<Timed> deleted = new ArrayList<>();
        final List<Instant> busy = new ArrayList<>();
        int failures;
        /** Check restores on every n-th step that changed something, and always after L2+ writes or deletions above L0. */
        int checkEvery = 1;
        private int eligible;

        Scenario(long seed, Fault... faults) {
            this(seed, null, DEFAULTS, faults);
        }

        /** With {@code recent} (may be null: none), uploads hand their bytes to the maintenance, as the engine does. */
        Scenario(long seed, RecentUploads recent, CompactionSettings settings, Fault... faults) {
            this.recent = recent;
            rnd = new SplittableRandom(seed);
            counted = FaultyReplicaClient.wrap(store, faults);
            engineTarget = new ReplicaTarget(store, ReplicaLayout.HEX_LEVEL_DIRS, "tenants/a/app.db");
            target = new ReplicaTarget(counted, ReplicaLayout.HEX_LEVEL_DIRS, "tenants/a/app.db");
            // A small memory limit makes the larger merges take the two-pass path.
            maintenance = recent == null ? Maintenance.create(target, settings, 0.0, 8 * 1024)
                    : Maintenance.create(target, settings, 0.0, 8 * 1024, recent);
            db = new SimulatedDatabase(rnd, 512, 30);
        }

        Instant now() {
            return clock.instant();
        }

        /** Advances one step; writes one transaction when {@code write}; runs maintenance; checks the replica. */
        MaintenanceReport step(boolean write) throws IOException {
            return step(write, STEP);
        }

        MaintenanceReport step(boolean write, Duration by) throws IOException {
            clock.advance(by);
            if (write && recent != null) {
                byte[] body = db.nextTransaction(now());
                SimulatedDatabase.upload(engineTarget, db.txid(), body, now());
                maintenance.uploaded(new LtxFileRef(0, db.txid(), db.txid(), now(), body.length), body);
            } else if (write) {
                maintenance.onUploaded(db.commitAndUpload(engineTarget, now()));
            }
            MaintenanceReport r = maintenance.runDue(now());
            r.written().forEach(f -> written.add(new Timed(now(), f)));
            r.deleted().forEach(f -> deleted.add(new Timed(now(), f)));
            if (!r.isIdle()) {
                busy.add(now());
            }
            if (r.failed()) {
                failures++;
            }
            boolean notable = r.written().stream().anyMatch(f -> f.level() >= 2)
                    || r.deleted().stream().anyMatch(f -> f.level() > 0);
            if ((write || !r.isIdle()) && (notable || ++eligible % checkEvery == 0)) {
                checkRestores();
                checkIndexMatchesReplica();
            }
            return r;
        }

        void runUntil(Instant end, Predicate<Instant> writeAt) throws IOException {
            while (now().isBefore(end)) {
                step(writeAt.test(now().plus(STEP)));
            }
        }

        /**
         * The latest state restores exactly; so does the state at the end of a random compacted file inside the
         * retention window (those are the TXIDs a point-in-time restore can reach once L0 is trimmed); and a random
         * TXID in the window restores the state of the newest reachable TXID at or before it.
         */
        void checkRestores() throws IOException {
            var latest = ReplicaRestore.restore(target(), RestoreTarget.latest()).orElseThrow();
            assertEquals(db.txid(), latest.plan().txid(), "latest restore reaches the last upload at " + now());
            assertEquals(db.stateAt(db.txid()), latest.state(), "latest state at " + now());

            List<LtxFileRef> files = ReplicaRestore.list(target());
            // The oldest restorable state: the oldest file that starts from an empty database (L9 or TXID 1).
            long oldestSnapshot = files.stream().filter(LtxFileRef::isSnapshot).mapToLong(LtxFileRef::maxTxid).min()
                    .orElseThrow();
            List<LtxFileRef> compacted = files.stream().filter(f -> f.level() > 0 && f.maxTxid() >= oldestSnapshot)
                    .toList();
            if (!compacted.isEmpty()) {
                LtxFileRef pick = compacted.get(rnd.nextInt(compacted.size()));
                var older = ReplicaRestore.restore(target(), new RestoreTarget.AtTxid(pick.maxTxid())).orElseThrow();
                assertEquals(pick.maxTxid(), older.plan().txid(), "restore to " + pick + " at " + now());
                assertEquals(db.stateAt(pick.maxTxid()), older.state(), "state at " + pick + " at " + now());
            }
            long txid = oldestSnapshot + rnd.nextLong(db.txid() - oldestSnapshot + 1);
            var any = ReplicaRestore.restore(target(), new RestoreTarget.AtTxid(txid)).orElseThrow();
            assertTrue(any.plan().txid() <= txid);
            assertEquals(db.stateAt(any.plan().txid()), any.state(), "state at TXID " + txid + " at " + now());
        }

        void checkIndexMatchesReplica() throws IOException {
            var idx = maintenance.files();
            if (idx.isPresent()) {
                assertEquals(names(ReplicaRestore.list(target())), names(idx.get()), "index vs replica at " + now());
            }
        }

        /** Reads the replica without going through the counting client. */
        ReplicaTarget target() {
            return engineTarget;
        }

        List<LtxFileRef> level(int level) throws IOException {
            return ReplicaRestore.list(target()).stream().filter(f -> f.level() == level).toList();
        }
    }

    record Timed(Instant at, LtxFileRef file) {
    }

    private static TreeSet<String> names(List<LtxFileRef> files) {
        TreeSet<String> s = new TreeSet<>();
        files.forEach(f -> s.add(f.toString()));
        return s;
    }

    private static Instant at(String hms) {
        Duration d = Duration.parse("PT" + hms);
        return T0.plus(d);
    }

    /** Writes every step from 0:00:05 through 0:10:00, nothing after. */
    private static boolean tenMinuteBurst(Instant t) {
        return !t.isAfter(at("10M"));
    }

    @Test
    void runDue_databaseNeverWritten_sendsNoRequestOverSimulatedDays() throws IOException {
        Scenario s = new Scenario(LtxMergerTest.seed("idle"));
        s.clock.set(T0);
        int runs = 0;
        while (s.now().isBefore(T0.plus(Duration.ofDays(3)))) {
            s.clock.advance(Duration.ofSeconds(1));
            assertTrue(s.maintenance.runDue(s.now()).isIdle());
            runs++;
        }
        assertEquals(3 * 86_400, runs);
        assertEquals(0, s.counted.calls(Operation.ANY), "an idle database must cost nothing");
        assertTrue(s.maintenance.files().isEmpty(), "the index is not even loaded");
    }

    @Test
    void settle_coldReplica_catchesUpEveryLevelAtOnce_thenExpiresL0_thenHasNothingLeft() throws IOException {
        Scenario s = new Scenario(LtxMergerTest.seed("settle"));
        for (int i = 0; i < 12; i++) {
            s.clock.advance(STEP);
            s.db.commitAndUpload(s.engineTarget, s.now()); // transient passes: nobody ran maintenance
        }
        long n = s.db.txid();
        s.clock.advance(Duration.ofSeconds(1));
        Maintenance.Settled first = Maintenance.create(s.target, DEFAULTS, 0.0, 8 * 1024)
                .settle(s.now(), Duration.ofHours(1));
        assertEquals(null, first.report().failure());
        assertEquals(List.of(1, 2, 3, 9), first.report().written().stream().map(LtxFileRef::level).toList());
        for (LtxFileRef f : first.report().written()) {
            assertEquals(n, f.maxTxid(), f.toString());
        }
        assertTrue(first.report().deleted().isEmpty(), "L0 files are younger than l0-retention");
        assertEquals(s.now().plus(DEFAULTS.l0Retention()).isAfter(first.nextCheck()), true,
                "L0 expiry is the next work: " + first.nextCheck());
        s.checkRestores();

        s.clock.advance(DEFAULTS.l0Retention().plusMinutes(1));
        Maintenance second = Maintenance.create(s.target, DEFAULTS, 0.0, 8 * 1024);
        Maintenance.Settled expired = second.settle(s.now(), Duration.ofHours(1));
        assertTrue(expired.report().written().isEmpty(), expired.report().written().toString());
        assertEquals(11, expired.report().deleted().size(), "every L0 file but the newest expired");
        assertEquals(Instant.MAX, expired.nextCheck(), "nothing left to do by time alone");
        s.checkRestores();

        // Nothing changed: the same instance sends no request, even past the snapshot interval.
        s.clock.advance(Duration.ofHours(2));
        Maintenance.Settled idle = second.settle(s.now(), Duration.ofHours(1));
        assertEquals(0, idle.report().requests(), idle.toString());
    }

    @Test
    void runDue_afterABurstOfWrites_compactsAtBoundariesSnapshotsDailyThenGoesSilent() throws IOException {
        Scenario s = new Scenario(LtxMergerTest.seed("burst"));
        s.runUntil(T0.plus(Duration.ofDays(3)), MaintenanceTest::tenMinuteBurst);
        long n = s.db.txid();
        assertEquals(120, n);

        for (Timed t : s.written) {
            Duration interval = DEFAULTS.interval(t.file().level());
            assertEquals(0, Duration.between(T0, t.at()).toMillis() % interval.toMillis(),
                    t.file() + " written off its level's boundary at " + t.at());
        }
        assertEquals(List.of(at("1H")), s.written.stream().filter(t -> t.file().level() == 3).map(Timed::at).toList());
        assertEquals(List.of(at("24H")), s.written.stream().filter(t -> t.file().level() == 9).map(Timed::at)
                .toList());
        // The run at 0:10:00 follows that step's write, so L1 and L2 catch up with the last TXID right then.
        assertEquals(List.of(at("5M"), at("10M")), s.written.stream().filter(t -> t.file().level() == 2)
                .map(Timed::at).toList());
        assertEquals(20, s.written.stream().filter(t -> t.file().level() == 1).count(), "L1 every 30 s until 0:10");

        // Requests only while compacting/trimming: during the burst and L0 expiry, at 1:00 (L3), at 24:00 (L9).
        for (Instant b : s.busy) {
            assertTrue(!b.isAfter(at("15M")) || b.equals(at("1H")) || b.equals(at("24H")), "request at " + b);
        }

        // Retention: what is left is exactly the newest file of each level, all ending at the last TXID.
        assertEquals(List.of(0, 1, 2, 3, 9), ReplicaRestore.list(s.target()).stream().map(LtxFileRef::level).toList());
        for (LtxFileRef f : ReplicaRestore.list(s.target())) {
            assertEquals(n, f.maxTxid(), f.toString());
        }
        assertEquals(1, s.level(9).get(0).minTxid());
        assertEquals(1, s.level(3).get(0).minTxid());
        // Every deletion was allowed: L0 only when covered by L1 and 5 minutes old; L1-L3 only after the snapshot.
        for (Timed t : s.deleted) {
            if (t.file().level() == 0) {
                assertFalse(t.file().createdAt().isAfter(t.at().minus(DEFAULTS.l0Retention())), t.toString());
            } else {
                assertEquals(at("24H"), t.at(), t.toString());
            }
        }
        assertEquals(0, s.failures);
    }

    @Test
    void runDue_continuousWritesOverTwoDays_keepsTheRetentionWindowAndStaysRestorable() throws IOException {
        Scenario s = new Scenario(LtxMergerTest.seed("continuous"));
        s.checkEvery = 20;
        Instant end = T0.plus(Duration.ofHours(50));
        while (s.now().isBefore(end)) {
            MaintenanceReport r = s.step(s.rnd.nextInt(10) < 2);
            boolean retentionRan = r.deleted().stream().anyMatch(f -> f.level() > 0)
                    || r.written().stream().anyMatch(f -> f.level() >= 2);
            if (!r.isIdle() && (retentionRan || s.rnd.nextInt(10) == 0)) {
                checkRetentionInvariants(s);
            }
        }
        List<Instant> snapshots = s.written.stream().filter(t -> t.file().level() == 9).map(Timed::at).toList();
        assertEquals(List.of(at("24H"), at("48H")), snapshots);
        // The first snapshot goes once the second exists and it is older than 24 h (its timestamp is that of its
        // last transaction, at most a step before 24:00).
        LtxFileRef first = s.written.stream().filter(t -> t.file().level() == 9).findFirst().orElseThrow().file();
        Instant expires = first.createdAt().plus(DEFAULTS.snapshotRetention());
        Instant expected = at("48H");
        while (!expected.isAfter(expires)) {
            expected = expected.plus(STEP);
        }
        assertEquals(List.of(expected), s.deleted.stream().filter(t -> t.file().level() == 9).map(Timed::at)
                .toList(), "the first snapshot expires when the second exists");
        assertTrue(s.deleted.stream().anyMatch(t -> t.file().level() == 1), "L1 below the snapshot is trimmed");
        assertEquals(0, s.failures);
    }

    private static void checkRetentionInvariants(Scenario s) throws IOException {
        List<LtxFileRef> all = ReplicaRestore.list(s.target());
        List<List<LtxFileRef>> byLevel = new ArrayList<>();
        for (int level = 0; level <= 9; level++) {
            int l = level;
            byLevel.add(all.stream().filter(f -> f.level() == l).toList());
        }
        List<LtxFileRef> snaps = byLevel.get(9);
        Instant now = s.now();
        for (LtxFileRef f : snaps.subList(0, Math.max(0, snaps.size() - 1))) {
            assertFalse(f.createdAt().isBefore(now.minus(DEFAULTS.snapshotRetention())), f + " expired at " + now);
        }
        if (!snaps.isEmpty()) {
            long oldest = snaps.stream().mapToLong(LtxFileRef::maxTxid).min().orElseThrow();
            for (int level = 1; level <= 3; level++) {
                List<LtxFileRef> files = byLevel.get(level);
                for (LtxFileRef f : files.subList(0, Math.max(0, files.size() - 1))) {
                    assertTrue(f.maxTxid() >= oldest, f + " is below the oldest snapshot at " + now);
                }
            }
        }
        // L0: at most the files of the last 5 minutes, the ones L1 does not cover yet, and the newest.
        int l0 = byLevel.get(0).size();
        assertTrue(l0 <= 5 * 60 / 5 + 30 / 5 + 2, "L0 holds " + l0 + " files at " + now);
    }

    @Test
    void runDue_level1ReadsTheRecentUploadsItWasHanded_notTheStore() throws IOException {
        RecentUploads recent = new RecentUploads(1 << 20);
        Scenario s = new Scenario(LtxMergerTest.seed("recent"), recent, DEFAULTS);
        s.checkEvery = 15;
        for (int i = 0; i < 180; i++) {
            s.step(true, Duration.ofSeconds(1));
        }
        long l1 = s.written.stream().filter(t -> t.file().level() == 1).count();
        assertEquals(6, l1, "L1 every 30 s for 3 minutes");
        assertEquals(0, s.counted.calls(Operation.GET), "every L0 input came from memory");
        assertTrue(recent.files() <= 30, "what L1 covers is forgotten: " + recent.files() + " files held");
        s.checkRestores();

        // The same run with nothing held reads every L0 file back: the count above could have been otherwise.
        Scenario plain = new Scenario(LtxMergerTest.seed("recent"), new RecentUploads(0), DEFAULTS);
        plain.checkEvery = 15;
        for (int i = 0; i < 180; i++) {
            plain.step(true, Duration.ofSeconds(1));
        }
        assertTrue(plain.counted.calls(Operation.GET) >= 150, "GETs without bodies: "
                + plain.counted.calls(Operation.GET));
    }

    @Test
    void recentUploads_boundedByBytes_oldestOutFirst_ownersApart() {
        RecentUploads r = new RecentUploads(100);
        Object a = new Object();
        Object b = new Object();
        LtxFileRef f1 = new LtxFileRef(0, 1, 1, T0, 40);
        LtxFileRef f2 = new LtxFileRef(0, 2, 2, T0, 40);
        LtxFileRef f3 = new LtxFileRef(0, 3, 3, T0, 40);
        r.put(a, f1, new byte[40]);
        r.put(b, f1, new byte[40]);
        assertTrue(r.get(a, f1).isPresent());
        assertTrue(r.get(b, f1).isPresent(), "another owner's file of the same TXIDs is its own entry");
        assertTrue(r.get(a, f2).isEmpty());
        r.put(a, f3, new byte[40]);
        assertTrue(r.get(a, f1).isEmpty(), "the oldest went first");
        assertEquals(80, r.bytes());
        r.put(a, f2, new byte[101]);
        assertTrue(r.get(a, f2).isEmpty(), "larger than the budget: not kept");
        r.drop(a, f3);
        r.drop(a, f3);
        assertEquals(40, r.bytes());
        assertEquals(1, r.files());
    }

    @Test
    void runDue_writingEverySecond_deletesExpiredL0InOneBatchPerCheckInterval() throws IOException {
        Scenario s = new Scenario(LtxMergerTest.seed("l0 batches"));
        s.checkEvery = 60;
        for (int i = 0; i < 12 * 60; i++) {
            s.step(true, Duration.ofSeconds(1));
        }
        List<Timed> l0 = s.deleted.stream().filter(t -> t.file().level() == 0).toList();
        assertTrue(l0.size() >= 6 * 60 - 60, "L0 files older than 5 min were deleted: " + l0.size());
        List<Instant> runs = l0.stream().map(Timed::at).distinct().toList();
        for (Instant at : runs) {
            assertEquals(0, at.toEpochMilli() % DEFAULTS.l0RetentionCheck().toMillis(), "deleted off a check at " + at);
        }
        // 7 minutes of expiries (5:30 to 12:00) in 15 s checks: 28 batches, not one per file.
        assertTrue(runs.size() <= 7 * 4 + 1, runs.size() + " deletion runs for " + l0.size() + " files");
        long l0Left = s.level(0).size();
        assertTrue(l0Left <= 5 * 60 + 30 + 15 + 1, l0Left + " L0 files left");
        s.checkRestores();
    }

    @Test
    void compactionSettings_l0RetentionCheck_mustBePositive() {
        Duration day = Duration.ofDays(1);
        assertEquals(Duration.ofSeconds(15), DEFAULTS.l0RetentionCheck());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CompactionSettings(DEFAULTS.levels(), day, day, day, Duration.ZERO));
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("first L1 upload fails", Fault.of(Operation.PUT, 1, ReplicaFailure.UNAVAILABLE)),
                Arguments.of("an upload's reply is lost", Fault.of(Operation.PUT, 4, ReplicaFailure.UNAVAILABLE)
                        .afterDelegating()),
                Arguments.of("an input read fails", Fault.of(Operation.GET, 7, ReplicaFailure.IO)),
                Arguments.of("the index LIST fails", Fault.of(Operation.LIST, 1, ReplicaFailure.THROTTLED)),
                Arguments.of("a delete fails", Fault.of(Operation.DELETE, 1, ReplicaFailure.UNAVAILABLE)),
                Arguments.of("a delete's reply is lost", Fault.of(Operation.DELETE, 2, ReplicaFailure.UNAVAILABLE)
                        .afterDelegating()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void runDue_withAFailingRequest_keepsTheReplicaRestorableAndRetries(String name, Fault fault) throws IOException {
        Scenario s = new Scenario(LtxMergerTest.seed("fault " + name), fault);
        s.runUntil(T0.plus(Duration.ofHours(26)), MaintenanceTest::tenMinuteBurst);
        assertEquals(1, s.counted.injected(), "the fault fired");
        assertEquals(1, s.failures);
        assertSettled(s);
    }

    @Test
    void runDue_withRandomFailures_keepsTheReplicaRestorableAndSettles() throws IOException {
        long seed = LtxMergerTest.seed("random faults");
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Fault f = Fault.of(Operation.ANY, 1 + rnd.nextInt(400), ReplicaFailure.UNAVAILABLE);
            faults.add(rnd.nextBoolean() ? f.afterDelegating() : f);
        }
        faults.sort(Comparator.comparingInt(Fault::nth));
        Scenario s = new Scenario(rnd.nextLong(), faults.toArray(Fault[]::new));
        s.runUntil(T0.plus(Duration.ofHours(26)), MaintenanceTest::tenMinuteBurst);
        assertTrue(s.failures > 0);
        assertSettled(s);
    }

    /** The end state of a ten-minute burst once everything is done: one file per level, all ending at the end. */
    private static void assertSettled(Scenario s) throws IOException {
        long n = s.db.txid();
        List<LtxFileRef> files = ReplicaRestore.list(s.target());
        assertEquals(List.of(0, 1, 2, 3, 9), files.stream().map(LtxFileRef::level).toList(), files.toString());
        for (LtxFileRef f : files) {
            assertEquals(n, f.maxTxid(), f.toString());
        }
        assertEquals(1, s.level(9).get(0).minTxid());
        long before = s.counted.calls(Operation.ANY);
        s.runUntil(s.now().plus(Duration.ofDays(2)), t -> false);
        assertEquals(before, s.counted.calls(Operation.ANY), "settled: no more requests");
    }
}
