package io.litefleet.distribution;

import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The application side of a fleet test: databases in the design's layout
 * ({@code data/<project>/databases/<database>/branches/<branch>/tenants/<tenant>.db}) and writers that commit to
 * them. Writers pace themselves (a workload's rate, not synchronisation with the daemon). Thread-safe.
 */
final class FleetWorkload {
    private final Path data;
    private final List<Path> dbs = new ArrayList<>();
    /** Databases the writers leave alone (being deleted, or recreated by the test itself). */
    private final Set<Path> reserved = ConcurrentHashMap.newKeySet();

    private FleetWorkload(Path data) {
        this.data = data;
    }

    /** Creates {@code projects x databases x tenants} databases in WAL mode, each with its own rows. */
    static FleetWorkload create(Path data, int projects, int databases, int tenants, Random rnd)
            throws IOException, SQLException {
        FleetWorkload w = new FleetWorkload(data);
        for (int p = 0; p < projects; p++) {
            for (int d = 0; d < databases; d++) {
                Path dir = Files.createDirectories(data.resolve("p" + p + "/databases/d" + d
                        + "/branches/main/tenants"));
                for (int t = 0; t < tenants; t++) {
                    Path db = dir.resolve("t" + t + ".db");
                    try (Connection c = SqliteFiles.open(db)) {
                        SqliteFiles.exec(c, "PRAGMA journal_mode=WAL",
                                "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)",
                                "INSERT INTO t(v) VALUES (randomblob(" + (500 + rnd.nextInt(4000)) + "))");
                    }
                    w.dbs.add(db);
                }
            }
        }
        return w;
    }

    /** The glob pattern of the design's example, under this fleet's data directory. */
    String pattern() {
        return data + "/*/databases/*/branches/*/tenants/*.db";
    }

    /** The data directory the databases are under. */
    Path root() {
        return data;
    }

    /** Every database, in creation order. */
    List<Path> databases() {
        return List.copyOf(dbs);
    }

    /** The database's replica path under the template {@code {{project}}/{{database}}/{{branch}}/{{tenant}}}. */
    String replicaPath(Path db) {
        Path rel = data.relativize(db);
        return rel.getName(0) + "/" + rel.getName(2) + "/" + rel.getName(4) + "/"
                + rel.getFileName().toString().replaceFirst("\\.db$", "");
    }

    /** One commit to {@code db}. */
    static void write(Path db, Random rnd) throws SQLException {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA busy_timeout=5000", "INSERT INTO t(v) VALUES (randomblob("
                    + (20 + rnd.nextInt(2000)) + "))");
        }
    }

    /** Keeps the writers away from {@code db} from now on. */
    void reserve(Path db) {
        reserved.add(db);
    }

    /**
     * Starts {@code writers} threads that, until {@code duration} has passed, commit every {@code pause} to a
     * database from a window of {@code window} databases and move to another one every {@code perDb} commits; the
     * window slides through the fleet by {@code window / 2} every {@code slide}. Returns when they are done; the
     * databases written are added to {@code written}.
     */
    void churn(int writers, Duration duration, Duration pause, int perDb, int window, Duration slide, long seed,
               Set<Path> written) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                Random rnd = new Random(seed + i);
                running.add(pool.submit(() -> {
                    while (System.nanoTime() - start < duration.toNanos()) {
                        long slides = (System.nanoTime() - start) / slide.toNanos();
                        int from = (int) (slides * (window / 2) % dbs.size());
                        Path db = dbs.get((from + rnd.nextInt(window)) % dbs.size());
                        for (int n = 0; n < perDb && !reserved.contains(db); n++) {
                            write(db, rnd);
                            written.add(db);
                            Thread.sleep(pause.toMillis()); // the workload's pace
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }
}
