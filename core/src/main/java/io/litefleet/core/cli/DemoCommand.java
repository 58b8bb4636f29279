package io.litefleet.core.cli;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.engine.ReplicaListener;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.fleet.SyncScheduler;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestoreResult;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.state.Catalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code litefleet demo}: the embedded default. Creates a sample database, writes to it while replicating it to a
 * local directory in Litestream's layout, then restores the latest state and an earlier one and checks them.
 */
@Command(name = "demo", description = {"Run the embedded default: a generated sample fleet in the design's layout",
    "replicated to a local directory while writers move through it, then a restore.",
    "--single: one database instead of a fleet."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "litefleet-demo",
            description = "Working directory (recreated; default ./litefleet-demo).")
    Path dir;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "15", description = "How long to write (default 15).")
    int seconds;

    @Option(names = "--single", description = "Demonstrate one database (WAL streaming and point-in-time restore).")
    boolean single;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path home = dir.toAbsolutePath().normalize();
        reset(home);
        if (!single) {
            return FleetDemo.run(home, seconds, out);
        }
        Path db = home.resolve("app.db");
        Path replica = home.resolve("replica");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer TEXT, "
                    + "amount INTEGER, note BLOB)");
            out.printf("sample database %s, replica %s, state %s%n", db, ReplicaUrl.escape("file://" + replica),
                    home.resolve("state"));
            try (Catalog catalog = Catalog.open(home.resolve("state"));
                 ReplicaClient client = new FileReplicaClientProvider().create(Settings.of("demo",
                         Map.of(FileReplicaClientProvider.ROOT, replica.toString())))) {
                ReplicaTarget target = new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "");
                DbReplicator replicator = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS,
                        Clock.systemUTC(), ReplicaListener.NONE);
                long middleTxid = write(app, replicator, out);
                restoreAndCheck(out, app, target, home, middleTxid);
            }
        }
        out.printf("%nTry stock Litestream on the same replica:  litestream restore -o /tmp/demo.db %s%n",
                ReplicaUrl.escape("file://" + replica));
        out.flush();
        return 0;
    }

    /** Writes for {@link #seconds} while replicating; returns a TXID from the middle of the run. */
    private long write(Connection app, DbReplicator replicator, PrintWriter out) throws Exception {
        Random rnd = new Random(42);
        long middle = 0;
        try (SyncScheduler scheduler = SyncScheduler.start(1, Clock.systemUTC(), ev -> { });
             PreparedStatement ins = app.prepareStatement("INSERT INTO orders(customer, amount, note) VALUES (?, ?, ?)")) {
            scheduler.add(replicator, Duration.ofSeconds(1));
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            int second = 0;
            while (System.nanoTime() < end) {
                long tick = System.nanoTime() + 1_000_000_000L;
                for (int i = 0; i < 50; i++) {
                    ins.setString(1, "customer-" + rnd.nextInt(100));
                    ins.setInt(2, rnd.nextInt(10_000));
                    byte[] note = new byte[rnd.nextInt(2000)];
                    rnd.nextBytes(note);
                    ins.setBytes(3, note);
                    ins.executeUpdate();
                }
                long waitMs = (tick - System.nanoTime()) / 1_000_000;
                if (waitMs > 0) {
                    Thread.sleep(waitMs); // pacing the demo's writer, one batch a second
                }
                second++;
                out.printf("  t=%ds rows=%d replicated TXID=%d%n", second, count(app), replicator.txid());
                out.flush();
                if (second == Math.max(1, seconds / 2)) {
                    middle = replicator.txid();
                }
            }
        }
        return middle;
    }

    private void restoreAndCheck(PrintWriter out, Connection app, ReplicaTarget target, Path home, long middleTxid)
            throws Exception {
        Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
        Path latest = home.resolve("restored.db");
        RestorePlan plan = restorer.plan(target, RestoreTarget.latest(), 8).orElseThrow();
        RestoreResult r = restorer.restore(target, plan, RestoreOptions.of(latest));
        String want = summary(app);
        String got;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + latest + "?mode=ro")) {
            got = summary(c);
        }
        out.printf("%nrestored latest (TXID %d, %d files, %d bytes) to %s%n  source:   %s%n  restored: %s  -> %s%n",
                r.txid(), r.files(), r.bytes(), latest, want, got, want.equals(got) ? "IDENTICAL" : "DIFFERENT");
        if (middleTxid > 0) {
            Path earlier = home.resolve("restored-txid-" + middleTxid + ".db");
            restorer.restore(target, restorer.plan(target, new RestoreTarget.AtTxid(middleTxid), 8).orElseThrow(),
                    RestoreOptions.of(earlier));
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + earlier + "?mode=ro")) {
                out.printf("point-in-time restore to TXID %d: %d rows (of %d now)%n", middleTxid, count(c), count(app));
            }
        }
        if (!want.equals(got)) {
            throw new IOException("the restored database differs from the source");
        }
    }

    private static String summary(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*), sum(amount), "
                + "sum(length(note)), max(id) FROM orders")) {
            rs.next();
            return "rows=" + rs.getLong(1) + " sum(amount)=" + rs.getLong(2) + " bytes=" + rs.getLong(3)
                    + " max(id)=" + rs.getLong(4);
        }
    }

    private static long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void exec(Connection c, String... sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private static void reset(Path home) throws IOException {
        if (Files.exists(home)) {
            try (Stream<Path> walk = Files.walk(home)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(home);
    }
}
