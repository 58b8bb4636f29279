package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.server.FaultProxy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop of the built image ({@code target/litefleet/bin/litefleet}, drop-in plugins and all) with stock
 * {@code litestream} v0.5.16 on a cloud backend's test server, both ways: stock {@code litestream restore}
 * restores what Litefleet replicated, and Litefleet restores and continues what upstream replicated. Every scenario
 * ends with both restores equal to the source by content hash and passing {@code PRAGMA integrity_check}, and with
 * no secret in anything Litefleet printed.
 *
 * <p>A third scenario runs {@code litefleet replicate} as a daemon through a {@link FaultProxy} that goes down for a
 * while: the daemon logs the failure naming the destination (never a secret), retries with backoff, catches up by
 * itself once the store is back, and both restores still equal the source.
 *
 * <p>A backend's test starts its server once per class and says how both tools reach it: the replica section's
 * keys (the same for both tools: Litestream's keys), the environment, and a replica URL if that form works too.
 * The tests live here, not in the plugin modules, because they run the shipped image: plugins never see core, not
 * even in tests.
 */
abstract class CloudInterop {
    private static final Duration COMMAND = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    /** {@code 127.0.0.1:PORT} of the backend's server. */
    protected abstract String serverHostPort();

    /** The replica section's keys for {@code path} inside the destination, reaching the server at {@code hostPort}. */
    protected abstract Map<String, String> replica(String path, String hostPort);

    /** Variables both tools need to reach the server at {@code hostPort} (for example an emulator's host). */
    protected abstract Map<String, String> environment(String hostPort);

    /** The destination as Litefleet names it in messages ({@code ReplicaClient.describe()}). */
    protected abstract String destination();

    /** The replica URL for {@code path}, where that form reaches the server. */
    protected abstract Optional<String> url(String path);

    /** Secrets the configuration holds; nothing Litefleet prints may contain one. */
    protected abstract Set<String> secrets();

    @Test
    void litefleetReplica_isRestoredByStockLitestreamAndByLitefleet() throws Exception {
        Path db = dir.resolve("ours.db");
        String path = "fleet/ours-" + Long.toHexString(new SplittableRandom().nextLong());
        Path config = config(db, path);
        try (Connection app = open(db)) {
            write(app, 0, 200);
            replicateOnce(config);
            write(app, 200, 50);
            exec(app, "UPDATE t SET v = v || '+' WHERE id % 7 = 0", "DELETE FROM t WHERE id % 11 = 0");
            replicateOnce(config);
            String source = DbContent.hash(app);
            assertBothRestores(db, config, source, "Litefleet's replica");
            if (url(path).isPresent()) {
                Path byUrl = dir.resolve("by-url.db");
                litefleet("restore", "-o", byUrl.toString(), url(path).get());
                assertEquals(source, DbContent.hash(byUrl), "litefleet restore " + url(path).get());
            }
        }
        assertTrue(ltxFiles(config, db).size() >= 2, "two syncs, two L0 files at least: " + ltxFiles(config, db));
    }

    @Test
    void upstreamReplica_isRestoredAndContinuedByLitefleet() throws Exception {
        Path db = dir.resolve("theirs.db");
        String path = "fleet/theirs-" + Long.toHexString(new SplittableRandom().nextLong());
        Path config = config(db, path);
        try (Connection app = open(db)) {
            write(app, 0, 100);
            Process upstream = startUpstream(config);
            int exit;
            try {
                awaitL0Files(config, db, 1, upstream);
                write(app, 100, 30);
                awaitL0Files(config, db, 2, upstream);
            } finally {
                exit = Image.stop(upstream, Duration.ofSeconds(30)); // SIGTERM: upstream syncs, then exits
            }
            assertEquals(0, exit, "litestream exits cleanly on SIGTERM");
            List<String> theirs = ltxFiles(config, db);
            String upstreamState = DbContent.hash(app);
            Path restored = dir.resolve("restored-theirs.db");
            litefleet("restore", "-config", config.toString(), "-o", restored.toString(), db.toString());
            assertEquals(upstreamState, DbContent.hash(restored), "Litefleet restores upstream's replica");
            assertEquals("ok", DbContent.integrityCheck(restored));

            write(app, 130, 40);
            replicateOnce(config);
            List<String> after = ltxFiles(config, db);
            assertTrue(after.containsAll(theirs), "upstream's files are kept: " + theirs + " vs " + after);
            assertTrue(after.size() > theirs.size(), "Litefleet added to upstream's replica: " + after);
            assertBothRestores(db, config, DbContent.hash(app), "upstream's replica continued by Litefleet");
        }
    }

    @Test
    void daemon_storeUnreachableForAWhile_logsTheDestinationRetriesAndCatchesUp() throws Exception {
        Path db = dir.resolve("daemon.db");
        String path = "fleet/daemon-" + Long.toHexString(new SplittableRandom().nextLong());
        Path direct = config(db, path);
        try (FaultProxy proxy = FaultProxy.open(URI.create("http://" + serverHostPort()), Duration.ofMinutes(5));
             Connection app = open(db)) {
            String via = proxy.endpoint().getAuthority();
            Path config = config(db, path, via, "daemon-via-proxy");
            Path log = dir.resolve("daemon.log");
            write(app, 0, 50);
            Process daemon = Image.process(List.of(Image.litefleet().toString(), "replicate", "-config",
                    config.toString(), "--state-dir", dir.resolve("state").toString()), environment(via), log).start();
            int exit;
            try {
                await("the daemon shipped a first L0 file", () -> !ltxFiles(direct, db).isEmpty(), daemon, log);
                proxy.down(); // the store is unreachable: connections refused
                write(app, 50, 50);
                await("the daemon logged the failed sync", () -> Files.readString(log).contains("sync failed"),
                        daemon, log);
                List<String> before = ltxFiles(direct, db);
                proxy.up();
                await("the daemon caught up by itself", () -> !before.containsAll(ltxFiles(direct, db)), daemon,
                        log);
            } finally {
                exit = Image.stop(daemon, Duration.ofSeconds(60)); // SIGTERM flushes, then exits 0
            }
            String text = Files.readString(log);
            assertEquals(0, exit, text);
            String failure = text.lines().filter(l -> l.contains("sync failed")).findFirst().orElseThrow();
            System.out.println("the daemon's failure line: " + failure);
            assertTrue(failure.contains(destination()) && (failure.contains("UNAVAILABLE") || failure.contains("IO")),
                    "the failure names the destination and a retryable kind: " + failure);
            for (String secret : secrets()) {
                assertFalse(text.contains(secret), "a secret in the daemon's log");
            }
            assertBothRestores(db, direct, DbContent.hash(app), "after the store came back");
        }
    }

    private void replicateOnce(Path config) throws Exception {
        litefleet("replicate", "-config", config.toString(), "--state-dir", dir.resolve("state").toString(),
                "-once");
    }

    /** A config file both tools read: one database, this backend's replica section, 100 ms intervals. */
    private Path config(Path db, String path) throws IOException {
        return config(db, path, serverHostPort(), db.getFileName().toString());
    }

    private Path config(Path db, String path, String hostPort, String name) throws IOException {
        StringBuilder yml = new StringBuilder("dbs:\n  - path: " + db
                + "\n    monitor-interval: 100ms\n    replica:\n      sync-interval: 100ms\n");
        replica(path, hostPort).forEach((k, v) -> yml.append("      ").append(k).append(": ").append(v).append('\n'));
        return Files.writeString(dir.resolve(name + ".yml"), yml);
    }

    private void assertBothRestores(Path db, Path config, String hash, String what) throws Exception {
        Path ours = dir.resolve("litefleet-" + System.nanoTime() + ".db");
        litefleet("restore", "-config", config.toString(), "-o", ours.toString(), db.toString());
        assertEquals(hash, DbContent.hash(ours), what + ": litefleet restore");
        assertEquals("ok", DbContent.integrityCheck(ours), what + ": litefleet restore");
        Path stock = dir.resolve("litestream-" + System.nanoTime() + ".db");
        Image.Result r = peer(PeerTools.litestream().toString(), "restore", "-config", config.toString(), "-o",
                stock.toString(), db.toString());
        assertEquals(0, r.exitCode(), what + ": litestream restore\n" + r.output());
        assertEquals(hash, DbContent.hash(stock), what + ": litestream restore");
        assertEquals("ok", DbContent.integrityCheck(stock), what + ": litestream restore");
    }

    /** Runs the image's {@code bin/litefleet}; fails unless it exits 0, or if its output holds a secret. */
    private String litefleet(String... args) throws Exception {
        Image.Result r = Image.litefleet(dir, environment(serverHostPort()), args);
        for (String secret : secrets()) {
            assertFalse(r.output().contains(secret), "litefleet printed a secret: " + String.join(" ", args));
        }
        assertEquals(0, r.exitCode(), "litefleet " + String.join(" ", args) + "\n" + r.output());
        // The SDKs log through SLF4J, bound to java.util.logging in the plugins: no binding warning, no per-request
        // noise from azure-core's JDK client.
        assertFalse(r.output().contains("SLF4J") || r.output().contains("is restricted by"), r.output());
        return r.output();
    }

    /** {@code litestream ltx -level all}: one {@code "level min max"} entry per LTX file in the replica. */
    private List<String> ltxFiles(Path config, Path db) throws Exception {
        Image.Result r = peer(PeerTools.litestream().toString(), "ltx", "-config", config.toString(), "-level", "all",
                db.toString());
        assertEquals(0, r.exitCode(), "litestream ltx\n" + r.output());
        List<String> files = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[1].matches("[0-9a-f]{16}") && f[2].matches("[0-9a-f]{16}")) {
                files.add(f[0] + " " + f[1] + " " + f[2]);
            }
        }
        return files;
    }

    private void awaitL0Files(Path config, Path db, int n, Process upstream) throws Exception {
        await("upstream shipped " + n + " L0 files", () -> ltxFiles(config, db).stream()
                .filter(f -> f.startsWith("0 ")).count() >= n, upstream, dir.resolve("litestream.log"));
    }

    /** Polls {@code condition} until it holds, failing after 90 s or when {@code process} exits, with its log. */
    private static void await(String what, Condition condition, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.holds()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("not so within 90 s: " + what + " (process alive: " + process.isAlive()
                        + "); its log:\n" + Files.readString(log));
            }
            Thread.sleep(100); // poll interval; the loop has its deadline
        }
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Upstream's binary with this backend's environment, without {@code AWS_CA_BUNDLE} (it breaks their S3 client). */
    private Image.Result peer(String... command) throws Exception {
        return Image.run(dir, COMMAND, peerEnvironment(), command);
    }

    private Map<String, String> peerEnvironment() {
        Map<String, String> env = new java.util.HashMap<>(environment(serverHostPort()));
        env.put("AWS_CA_BUNDLE", null);
        return env;
    }

    /** {@code litestream replicate} on the config, with this backend's environment, logging to litestream.log. */
    private Process startUpstream(Path config) throws IOException {
        return Image.process(List.of(PeerTools.litestream().toString(), "replicate", "-config", config.toString()),
                peerEnvironment(), dir.resolve("litestream.log")).start();
    }

    private static Connection open(Path db) throws Exception {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v TEXT, b BLOB)");
        return c;
    }

    /** Inserts {@code n} rows from {@code from}, each with a 1 KiB blob, in one transaction. */
    private static void write(Connection c, int from, int n) throws Exception {
        SplittableRandom r = new SplittableRandom(from);
        c.setAutoCommit(false);
        try (PreparedStatement st = c.prepareStatement("INSERT INTO t(id, v, b) VALUES (?, ?, ?)")) {
            for (int i = from; i < from + n; i++) {
                byte[] blob = new byte[1024];
                r.nextBytes(blob);
                st.setInt(1, i);
                st.setString(2, "row " + i);
                st.setBytes(3, blob);
                st.addBatch();
            }
            st.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }

    private static void exec(Connection c, String... sql) throws Exception {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }
}
