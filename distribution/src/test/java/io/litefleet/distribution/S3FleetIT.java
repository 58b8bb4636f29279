package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import io.litefleet.testkit.server.FaultProxy;
import io.litefleet.testkit.server.VersityGw;
import io.litefleet.testkit.server.VersityGwExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet mode on S3, as a user runs it: the design's {@code multi-db:} example ({@code type: s3} plus an
 * {@code endpoint}) run by the image's {@code litefleet replicate} against versitygw, behind a {@link FaultProxy} that
 * counts every request the store receives. 300 databases; 8 of them written once a second for 30 s (the active
 * request rate); writers moving across tenants with a hot cap of 8 (promotions, demotions, evictions, transient
 * passes); a database deleted, another deleted and recreated. Once the fleet's status shows it has settled, an idle
 * window in which the store must receive <strong>no</strong> request; then every database is restored with our
 * restore and a sample with stock {@code litestream restore}, each equal to its source.
 *
 * <p>Why {@link #IDLE_WINDOW} (30 s) is long enough: every timer of the config that could lead to a request is at
 * most 10 s (sync 1 s, L0 retention 5 s, settle interval 5 s, hot-idle-timeout 6 s, levels 3/6/10 s, snapshots every
 * 10 s and kept 10 s, scan 10 s), so each fires at least three times in the window; a cold database that sent
 * anything on any of them would be seen. (The hot-idle-timeout is longer than a hot database's minimum residency,
 * 2 x sync + 1 s, so that the least recently written hot database is evicted for another, not only demoted.) The same check on stock litestream replicating one idle database (its L0 retention
 * LISTs every 15 s) must count requests, so the check can fail.
 */
class S3FleetIT {
    private static final String BUCKET = "fleet";
    private static final int MAX_HOT = 8;
    private static final Duration IDLE_WINDOW = Duration.ofSeconds(30);
    private static final Duration ACTIVE_WINDOW = Duration.ofSeconds(30);
    private static final Pattern SUMMARY = Pattern.compile("requests to s3://" + BUCKET + ": put (\\d+) .*");

    @RegisterExtension
    static final VersityGwExtension S3 = new VersityGwExtension(BUCKET, "control");

    @TempDir
    Path dir;

    private LogTail status;

    @Test
    void fleetOf300_withChurn_everyDatabaseRestoresEqual_andOnceSettledTheStoreGetsNoRequest() throws Exception {
        long seed = Long.getLong("litefleet.seed", new Random().nextLong());
        System.out.println("S3FleetIT seed=" + seed);
        Random rnd = new Random(seed);
        FleetWorkload fleet = FleetWorkload.create(dir.resolve("data"), 3, 2, 50, rnd);
        List<Path> dbs = fleet.databases();
        Map<Path, String> gone = new LinkedHashMap<>(); // deleted databases: the content their replica keeps
        try (FaultProxy store = FaultProxy.open(S3.gw().endpoint(), Duration.ofMinutes(40));
             FaultProxy control = FaultProxy.open(S3.gw().endpoint(), Duration.ofMinutes(40))) {
            Path log = dir.resolve("litefleet.log");
            status = new LogTail(log);
            Process daemon = Image.process(List.of(Image.litefleet().toString(), "replicate", "-config",
                    config(fleet, store).toString(), "--status-interval", "1s"), S3.gw().childEnvironment(), log)
                    .start();
            try {
                awaitStatus("every database captured once", Duration.ofMinutes(5), s -> num(s, "known") == 300
                        && num(s, "transients") >= 300 && num(s, "backlog") == 0 && num(s, "running") == 0);
                activeWindow(dbs.subList(0, MAX_HOT), store, rnd);
                churn(fleet, rnd, seed, gone);
                Process upstream = startControl(control);
                try {
                    awaitSettled(Duration.ofMinutes(3));
                    idleWindow(store, control);
                } finally {
                    Image.stop(upstream, Duration.ofSeconds(10));
                }
                int beforeStop = store.requests().size();
                assertEquals(0, Image.stop(daemon, Duration.ofSeconds(60)), "SIGTERM exits 0");
                assertEquals(beforeStop, store.requests().size(), "stopping an idle fleet sends nothing: "
                        + store.requests().subList(beforeStop, store.requests().size()));
            } finally {
                Image.stop(daemon, Duration.ZERO);
            }
            checkSummary(Files.readString(log), store);
        }
        restoreAll(fleet, gone, rnd);
    }

    /** The design's example, verbatim but for the paths, the cap, the endpoint and intervals short enough to test. */
    private Path config(FleetWorkload fleet, FaultProxy store) throws Exception {
        return Files.writeString(dir.resolve("fleet.yml"), """
                multi-db:
                  enabled: true
                  patterns:
                    - "%s"

                  max-hot-databases: %d
                  scan-interval: 10s
                  hot-idle-timeout: 6s
                  cold-snapshot-interval: 5s

                  replica-template:
                    type: s3
                    bucket: %s
                    path: "{{project}}/{{database}}/{{branch}}/{{tenant}}"
                    region: us-east-1
                    endpoint: %s
                    sync-interval: 1s
                state-dir: %s
                levels:
                  - interval: 3s
                  - interval: 6s
                  - interval: 10s
                snapshot:
                  interval: 10s
                  retention: 10s
                l0-retention: 5s
                """.formatted(fleet.pattern(), MAX_HOT, BUCKET, store.endpoint(), dir.resolve("state")));
    }

    /**
     * {@link #MAX_HOT} databases, all hot, each committing once a second for {@link #ACTIVE_WINDOW}: prints the
     * store's requests per active database per minute by method, and checks each commit went up as its own level-0
     * file.
     */
    private void activeWindow(List<Path> active, FaultProxy store, Random rnd) throws Exception {
        for (Path db : active) {
            FleetWorkload.write(db, rnd);
        }
        awaitStatus("the " + MAX_HOT + " written databases hot", Duration.ofMinutes(1),
                s -> num(s, "hot") == MAX_HOT);
        int from = store.requests().size();
        ScheduledExecutorService writers = Executors.newSingleThreadScheduledExecutor();
        try {
            writers.scheduleAtFixedRate(() -> active.forEach(db -> {
                try {
                    FleetWorkload.write(db, rnd);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }), 0, 1, TimeUnit.SECONDS);
            assertFalse(writers.awaitTermination(ACTIVE_WINDOW.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
            writers.shutdownNow();
        }
        List<FaultProxy.Request> window = store.requests().subList(from, store.requests().size());
        Map<String, Long> byMethod = new TreeMap<>();
        window.forEach(r -> byMethod.merge(r.method(), 1L, Long::sum));
        long l0 = window.stream().filter(r -> r.method().equals("PUT") && r.target().contains("/0000/")).count();
        double minutes = ACTIVE_WINDOW.toSeconds() / 60.0;
        System.out.printf("active: %d requests in %s for %d databases at 1 s sync: %.1f per database per minute; "
                + "by method %s; level-0 PUTs %d%n", window.size(), ACTIVE_WINDOW, active.size(),
                window.size() / minutes / active.size(), byMethod, l0);
        long commits = ACTIVE_WINDOW.toSeconds() * active.size();
        assertTrue(l0 <= commits + active.size(), "at most one level-0 file per commit: " + l0);
        assertTrue(l0 >= commits * 2 / 3, "commits shipped within about a second: " + l0);
    }

    /**
     * Writers moving across tenants with more databases active than the hot cap; meanwhile one written database is
     * deleted and another deleted and recreated (a new database at the same path). Both are shipped before they go.
     */
    private void churn(FleetWorkload fleet, Random rnd, long seed, Map<Path, String> gone) throws Exception {
        Set<Path> written = ConcurrentHashMap.newKeySet();
        Path deleted = fleet.databases().get(120);
        Path recreated = fleet.databases().get(121);
        ExecutorService main = Executors.newSingleThreadExecutor();
        try {
            Future<?> writers = main.submit(() -> {
                fleet.churn(4, Duration.ofSeconds(30), Duration.ofMillis(250), 4, 40, Duration.ofSeconds(6), seed,
                        written);
                return null;
            });
            for (Path db : List.of(deleted, recreated)) {
                fleet.reserve(db);
                FleetWorkload.write(db, rnd);
                awaitRestoreEquals(fleet, db, DbContent.hash(db));
            }
            gone.put(deleted, DbContent.hash(deleted));
            delete(deleted);
            delete(recreated);
            awaitStatus("both deletions seen", Duration.ofSeconds(30), s -> num(s, "deleted") == 2);
            try (Connection c = SqliteFiles.open(recreated)) {
                SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE again(id INTEGER PRIMARY KEY, v TEXT)",
                        "INSERT INTO again(v) VALUES ('a new database at the old path')");
            }
            writers.get();
        } finally {
            main.shutdownNow();
        }
        awaitStatus("the recreated database known again", Duration.ofSeconds(30), s -> num(s, "deleted") == 1);
        System.out.println("churn wrote " + written.size() + " databases; status " + status.status());
    }

    /** Nothing hot, queued, running or left to settle, on three status lines in a row after the writers stopped. */
    private void awaitSettled(Duration within) throws Exception {
        int mark = status.statusLines();
        Await.until(within, () -> "the fleet settled: " + status.status(), () -> {
            Map<String, String> s = status.status();
            return status.statusLines() >= mark + 3 && num(s, "hot") == 0 && num(s, "backlog") == 0
                    && num(s, "running") == 0 && num(s, "settlesPending") == 0;
        });
        Map<String, String> s = status.status();
        assertTrue(num(s, "promotions") > MAX_HOT && num(s, "demotions") > MAX_HOT && num(s, "evictions") > 0
                && num(s, "transients") > 300 && num(s, "settles") > 0, "churn moved the hot set: " + s);
        System.out.println("settled: " + s);
    }

    /** Over the idle window the fleet's store gets no request, while the control (stock litestream) gets some. */
    private void idleWindow(FaultProxy store, FaultProxy control) throws Exception {
        int before = store.requests().size();
        int controlBefore = control.requests().size();
        boolean sent = Await.holds(IDLE_WINDOW, () -> store.requests().size() > before);
        int controlled = control.requests().size() - controlBefore;
        System.out.printf("idle window %s: fleet of 300 sent %d requests; stock litestream, one idle database: %d "
                + "(%.0f per database per day)%n", IDLE_WINDOW, store.requests().size() - before, controlled,
                controlled * 86_400.0 / IDLE_WINDOW.toSeconds());
        assertFalse(sent, "an idle fleet sends nothing: " + store.requests().subList(before,
                store.requests().size()));
        assertEquals(0, num(status.status(), "settlesPending"), "still settled: " + status.status());
        assertTrue(controlled > 0, "the same check counts an idle database that polls (stock litestream)");
    }

    /** Stock litestream replicating one database through {@code control}; returns once its first file is stored. */
    private Process startControl(FaultProxy control) throws Exception {
        Path db = dir.resolve("control.db");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('idle')");
        }
        Path yml = Files.writeString(dir.resolve("litestream.yml"), """
                dbs:
                  - path: %s
                    replica:
                      type: s3
                      bucket: control
                      path: app
                      endpoint: %s
                      region: %s
                      force-path-style: true
                """.formatted(db, control.endpoint(), VersityGw.REGION));
        Process p = Image.process(List.of(PeerTools.litestream().toString(), "replicate", "-config", yml.toString()),
                S3.gw().childEnvironment(), dir.resolve("litestream.log")).start();
        Await.until(Duration.ofSeconds(60), "litestream's first upload", () -> control.count("PUT", "/app/") > 0);
        return p;
    }

    /** The summary line at stop names the destination, and counts no more requests than the store received. */
    private static void checkSummary(String log, FaultProxy store) {
        String line = log.lines().filter(l -> l.contains("requests to s3://" + BUCKET + ": ")).findFirst()
                .orElseThrow(() -> new AssertionError("no request summary at stop"));
        System.out.println(line.substring(line.indexOf("requests to")) + " (the store received "
                + store.requests().size() + ")");
        Matcher m = SUMMARY.matcher(line.substring(line.indexOf("requests to")));
        assertTrue(m.matches(), line);
        long puts = Long.parseLong(m.group(1));
        assertTrue(puts > 300 && puts <= store.count("PUT", ""), "our puts (" + puts + ") against the store's "
                + store.count("PUT", ""));
        assertFalse(log.contains(S3.gw().secretKey()), "no secret in the log");
    }

    /**
     * Every database with our restore (the image's {@code litefleet restore}, in two {@link RestoreBatch}es run side
     * by side), and 10 of them plus both deleted paths with stock {@code litestream restore}; each equal to its
     * source (content hash) and intact ({@code integrity_check}).
     */
    private void restoreAll(FleetWorkload fleet, Map<Path, String> gone, Random rnd) throws Exception {
        List<Path> all = fleet.databases();
        Map<Path, String> want = new LinkedHashMap<>();
        for (Path db : all) {
            want.put(db, gone.containsKey(db) ? gone.get(db) : DbContent.hash(db));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<Path> half : List.of(all.subList(0, all.size() / 2), all.subList(all.size() / 2, all.size()))) {
                done.add(pool.submit(() -> {
                    restoreBatch(fleet, half, want);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<Path> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, rnd);
        Set<Path> sample = new LinkedHashSet<>(shuffled.subList(0, 10));
        sample.addAll(List.of(all.get(120), all.get(121)));
        for (Path db : sample) {
            Path out = output(fleet, db, "stock-");
            Image.Result r = Image.run(dir, Duration.ofMinutes(2), S3.gw().childEnvironment(),
                    PeerTools.litestream().toString(), "restore", "-o", out.toString(), url(fleet, db));
            assertRestored(db, r, out, want.get(db), "litestream");
        }
    }

    private void restoreBatch(FleetWorkload fleet, List<Path> dbs, Map<Path, String> want) throws Exception {
        List<List<String>> commands = new ArrayList<>();
        for (Path db : dbs) {
            commands.add(List.of("restore", "-o", output(fleet, db, "ours-").toString(), url(fleet, db)));
        }
        List<Image.Result> results = RestoreBatch.run(dir, S3.gw().childEnvironment(), commands,
                Duration.ofMinutes(15));
        for (int i = 0; i < dbs.size(); i++) {
            assertRestored(dbs.get(i), results.get(i), output(fleet, dbs.get(i), "ours-"), want.get(dbs.get(i)),
                    "litefleet");
        }
    }

    private static void assertRestored(Path db, Image.Result r, Path out, String hash, String tool)
            throws Exception {
        assertEquals(0, r.exitCode(), tool + " restore of " + db + ": " + r.output());
        assertEquals(hash, DbContent.hash(out), tool + " restore of " + db);
        assertEquals("ok", DbContent.integrityCheck(out), tool + " restore of " + db);
    }

    private Path output(FleetWorkload fleet, Path db, String prefix) {
        return dir.resolve(prefix + fleet.replicaPath(db).replace('/', '_') + ".db");
    }

    private static String url(FleetWorkload fleet, Path db) {
        return S3.gw().url(BUCKET, fleet.replicaPath(db));
    }

    private void awaitRestoreEquals(FleetWorkload fleet, Path db, String hash) throws Exception {
        String url = url(fleet, db);
        Path out = dir.resolve("probe.db");
        Await.until(Duration.ofSeconds(60), db + " shipped", () -> {
            try {
                Image.Result r = Image.litefleet(dir, S3.gw().childEnvironment(), "restore", "-force", "-o",
                        out.toString(), url);
                return r.exitCode() == 0 && hash.equals(DbContent.hash(out));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void delete(Path db) throws Exception {
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
        }
    }

    private void awaitStatus(String what, Duration within, Predicate<Map<String, String>> p) throws Exception {
        Await.until(within, () -> what + ": " + status.status(), () -> p.test(status.status()));
    }

    private static long num(Map<String, String> status, String field) {
        String v = status.get(field);
        return v == null ? -1 : Long.parseLong(v);
    }
}
