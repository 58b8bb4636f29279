package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream's directory mode ({@code dbs: - dir:}) on our fleet engine, with stock {@code litestream} v0.5.16 as the
 * oracle: the same config gives the same replica layout, stock and our restores give back every database, databases
 * created and removed while running are picked up and dropped ({@code watch: true}) or not ({@code watch: false}),
 * and the whole set restores into another directory.
 */
class DirectoryModeIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern STATUS = Pattern.compile("known=(\\d+).*?deleted=(\\d+).*?scans=(\\d+)");

    @TempDir
    Path dir;

    private Map<String, String> env() {
        return Map.of("XDG_DATA_HOME", dir.resolve("xdg").toString(), "LITEFLEET_STATE_DIR", "");
    }

    /** The data a run starts with: three matching databases at three depths, one of another name, one non-database. */
    private Path data(String name) throws Exception {
        Path d = dir.resolve(name);
        db(d.resolve("a.db"), "a1");
        db(d.resolve("b.db"), "b1");
        db(d.resolve("sub/c.db"), "c1");
        db(d.resolve("sub/deep/d.db"), "d1");
        db(d.resolve("e.sqlite"), "e1");
        Files.writeString(d.resolve("notes.db"), "not a database");
        return d;
    }

    private Path config(String name, Path data, Path replica, boolean recursive, boolean watch, String extra)
            throws IOException {
        return Files.writeString(dir.resolve(name + ".yml"), """
                dbs:
                  - dir: %s
                    pattern: "*.db"
                    recursive: %s
                    watch: %s
                    replica:
                      type: file
                      path: %s
                %s""".formatted(data, recursive, watch, replica, extra));
    }

    @Test
    void recursive_sameLayoutAsUpstream_bothRestoresEqual_andTheSetRestores() throws Exception {
        Path upData = data("up");
        Path ourData = data("ours");
        Path upReplica = dir.resolve("up-replica");
        Path ourReplica = dir.resolve("our-replica");
        Path upConfig = config("up", upData, upReplica, true, false, "");
        Path ourConfig = config("ours", ourData, ourReplica, true, false, "");
        List<String> expected = List.of("a.db", "b.db", "sub/c.db", "sub/deep/d.db");

        Process up = new ProcessBuilder(PeerTools.litestream().toString(), "replicate", "-config", upConfig.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("up.log").toFile()).start();
        Process ours = Daemon.start(dir.resolve("ours.log"), env(), "replicate", "-config", ourConfig.toString());
        try {
            Await.until(WAIT, () -> "both ship every database\n" + log("up.log") + log("ours.log"),
                    () -> shipped(upReplica).containsAll(expected) && shipped(ourReplica).containsAll(expected));
            for (String rel : expected) {
                write(upData.resolve(rel), "second " + rel);
                write(ourData.resolve(rel), "second " + rel);
            }
            PeerProcess.stopGracefully(up);
            ours.destroy();
            assertTrue(ours.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, ours.exitValue(), log("ours.log"));
        } finally {
            PeerProcess.kill(up);
            PeerProcess.kill(ours);
        }
        assertEquals(new TreeSet<>(expected), shipped(upReplica), "upstream's databases\n" + listing(upReplica));
        assertEquals(shipped(upReplica), shipped(ourReplica), "database roots: upstream\n" + listing(upReplica)
                + "ours\n" + listing(ourReplica));
        assertEquals(directories(upReplica), directories(ourReplica), "directories down to each ltx/0\n"
                + listing(upReplica) + "ours\n" + listing(ourReplica));

        for (String rel : expected) {
            Path source = ourData.resolve(rel);
            String url = ourReplica.resolve(rel).toUri().toString();
            Path stock = dir.resolve("stock/" + rel);
            Files.createDirectories(stock.getParent());
            var res = PeerProcess.run(dir, WAIT, List.of(PeerTools.litestream().toString(), "restore", "-o",
                    stock.toString(), url));
            assertEquals(0, res.exitCode(), rel + ": stock restore\n" + res.both());
            assertSame(source, stock, "stock restore of " + rel);
            Path mine = dir.resolve("mine/" + rel);
            Files.createDirectories(mine.getParent());
            cli(List.of("restore", "-o", mine.toString(), url), 0);
            assertSame(source, mine, "our restore of " + rel);
            Path byPath = dir.resolve("bypath/" + rel);
            Files.createDirectories(byPath.getParent());
            cli(List.of("restore", "-config", ourConfig.toString(), "-o", byPath.toString(), source.toString()), 0);
            assertSame(source, byPath, "our restore of " + rel + " by its path in the config");
        }

        Path set = dir.resolve("set");
        String dry = cli(List.of("restore", "-config", ourConfig.toString(), "-o", set.toString(), "-dry-run",
                ourData.toString()), 0);
        assertTrue(dry.contains("would restore 4 databases"), dry);
        assertFalse(Files.exists(set), "a dry run writes nothing");
        String out = cli(List.of("restore", "-config", ourConfig.toString(), "-o", set.toString(),
                ourData.toString()), 0);
        assertTrue(out.contains("restored 4 databases"), out);
        for (String rel : expected) {
            assertSame(ourData.resolve(rel), set.resolve(rel), "set restore of " + rel);
        }
        assertFalse(Files.exists(set.resolve("e.sqlite")), "the pattern leaves e.sqlite out");
        String again = cli(List.of("restore", "-config", ourConfig.toString(), "-o", set.toString(),
                ourData.toString()), 1);
        assertTrue(again.contains("restored 0 databases, 4 failed"), "existing outputs are kept without -force\n"
                + again);
        cli(List.of("restore", "-config", ourConfig.toString(), "-o", set.toString(), "-force", ourData.toString()), 0);
        String txid = cli(List.of("restore", "-config", ourConfig.toString(), "-o", set.toString(), "-txid",
                "0000000000000001", ourData.toString()), 1);
        assertTrue(txid.contains("-txid names a position in one database's history"), txid);
    }

    @Test
    void watchTrue_notRecursive_picksUpCreatedDatabases_andDropsRemovedOnes() throws Exception {
        Path data = dir.resolve("data");
        db(data.resolve("a.db"), "a1");
        db(data.resolve("gone.db"), "g1");
        Files.createDirectories(data.resolve("sub"));
        Path replica = dir.resolve("replica");
        Path config = config("watch", data, replica, false, true, "multi-db:\n  scan-interval: 1h\n");
        Process ours = Daemon.start(dir.resolve("watch.log"), env(), "replicate", "-config", config.toString(),
                "--status-interval", "200ms");
        long pickUpMs;
        long dropMs;
        try {
            Await.until(WAIT, () -> "start\n" + log("watch.log"),
                    () -> shipped(replica).containsAll(List.of("a.db", "gone.db")));
            db(data.resolve("sub/nested.db"), "n1");    // recursive: false leaves it out
            db(data.resolve("new.sqlite"), "s1");       // the pattern leaves it out
            long created = System.nanoTime();
            db(data.resolve("new.db"), "new1");
            // scan-interval 1h: only watching can find it within the wait
            Await.until(WAIT, () -> "new.db picked up\n" + log("watch.log"), () -> shipped(replica).contains("new.db"));
            pickUpMs = (System.nanoTime() - created) / 1_000_000;
            write(data.resolve("new.db"), "new2");

            long removed = System.nanoTime();
            for (String suffix : List.of("", "-wal", "-shm")) {
                Files.deleteIfExists(data.resolve("gone.db" + suffix));
            }
            Await.until(WAIT, () -> "gone.db dropped\n" + log("watch.log"),
                    () -> log("watch.log").contains(data.resolve("gone.db") + ": deleted; replication stopped"));
            dropMs = (System.nanoTime() - removed) / 1_000_000;
            Await.until(WAIT, () -> "status: 3 known (a.db, gone.db, new.db), 1 deleted\n" + log("watch.log"),
                    () -> lastStatus("watch.log")[0] == 3 && lastStatus("watch.log")[1] == 1);
            assertEquals(1, lastStatus("watch.log")[2], "one scan (at start): watching found new.db");
            ours.destroy();
            assertTrue(ours.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, ours.exitValue(), log("watch.log"));
        } finally {
            PeerProcess.kill(ours);
        }
        System.out.printf("directory watch: created database shipped after %d ms, removal noticed after %d ms%n",
                pickUpMs, dropMs);
        assertEquals(new TreeSet<>(List.of("a.db", "gone.db", "new.db")), shipped(replica), listing(replica));
        Path stock = dir.resolve("stock-new.db");
        var res = PeerProcess.run(dir, WAIT, List.of(PeerTools.litestream().toString(), "restore", "-o",
                stock.toString(), replica.resolve("new.db").toUri().toString()));
        assertEquals(0, res.exitCode(), res.both());
        assertSame(data.resolve("new.db"), stock, "stock restore of the database created while running");
        Path mine = dir.resolve("mine-new.db");
        cli(List.of("restore", "-o", mine.toString(), replica.resolve("new.db").toUri().toString()), 0);
        assertSame(data.resolve("new.db"), mine, "our restore of the database created while running");
    }

    @Test
    void watchTrue_recursive_picksUpADatabaseInADirectoryCreatedWhileRunning() throws Exception {
        Path data = dir.resolve("data");
        db(data.resolve("a.db"), "a1");
        Path replica = dir.resolve("replica");
        Path config = config("deep", data, replica, true, true, "multi-db:\n  scan-interval: 1h\n");
        Process ours = Daemon.start(dir.resolve("deep.log"), env(), "replicate", "-config", config.toString());
        try {
            Await.until(WAIT, () -> "start\n" + log("deep.log"), () -> shipped(replica).contains("a.db"));
            db(data.resolve("x/y/new.db"), "n1"); // two directory levels that did not exist at start
            Await.until(WAIT, () -> "x/y/new.db picked up by watching\n" + log("deep.log"),
                    () -> shipped(replica).contains("x/y/new.db"));
            ours.destroy();
            assertTrue(ours.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, ours.exitValue(), log("deep.log"));
        } finally {
            PeerProcess.kill(ours);
        }
        Path stock = dir.resolve("stock-new.db");
        var res = PeerProcess.run(dir, WAIT, List.of(PeerTools.litestream().toString(), "restore", "-o",
                stock.toString(), replica.resolve("x/y/new.db").toUri().toString()));
        assertEquals(0, res.exitCode(), res.both());
        assertSame(data.resolve("x/y/new.db"), stock, "stock restore");
        Path mine = dir.resolve("mine-new.db");
        cli(List.of("restore", "-o", mine.toString(), replica.resolve("x/y/new.db").toUri().toString()), 0);
        assertSame(data.resolve("x/y/new.db"), mine, "our restore");
    }

    @Test
    void watchFalse_keepsTheDatabasesFoundAtStart_asUpstream() throws Exception {
        Path data = dir.resolve("data");
        db(data.resolve("a.db"), "a1");
        Path replica = dir.resolve("replica");
        Path config = config("nowatch", data, replica, false, false, "multi-db:\n  scan-interval: 200ms\n"
                + "  full-scan-interval: 200ms\n"); // scans while watching is healthy too: they must not admit late.db
        Process ours = Daemon.start(dir.resolve("nowatch.log"), env(), "replicate", "-config", config.toString(),
                "--status-interval", "100ms");
        try {
            Await.until(WAIT, () -> "start\n" + log("nowatch.log"), () -> shipped(replica).contains("a.db"));
            db(data.resolve("late.db"), "l1");
            int scans = lastStatus("nowatch.log")[2];
            Await.until(WAIT, () -> "three more scans\n" + log("nowatch.log"),
                    () -> lastStatus("nowatch.log")[2] >= scans + 3);
            assertEquals(1, lastStatus("nowatch.log")[0], "late.db is not one of the run's databases");
            assertFalse(shipped(replica).contains("late.db"), listing(replica));
            write(data.resolve("a.db"), "a2");
            ours.destroy();
            assertTrue(ours.waitFor(60, TimeUnit.SECONDS));
        } finally {
            PeerProcess.kill(ours);
        }
        Path mine = dir.resolve("mine-a.db");
        cli(List.of("restore", "-o", mine.toString(), replica.resolve("a.db").toUri().toString()), 0);
        assertSame(data.resolve("a.db"), mine, "our restore");
        Path stock = dir.resolve("stock-a.db");
        var res = PeerProcess.run(dir, WAIT, List.of(PeerTools.litestream().toString(), "restore", "-o",
                stock.toString(), replica.resolve("a.db").toUri().toString()));
        assertEquals(0, res.exitCode(), res.both());
        assertSame(data.resolve("a.db"), stock, "stock restore");

        // Upstream refuses a directory without databases when not watching; so do we, naming the entry.
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path bad = config("empty", empty, dir.resolve("r2"), false, false, "");
        String err = cli(List.of("replicate", "-config", bad.toString()), 1);
        assertTrue(err.contains(bad + ": dbs[0]: key 'dir' (line 2): no SQLite databases found in directory "
                + empty + " with pattern *.db"), err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
        Path missing = config("missing", dir.resolve("nope"), dir.resolve("r3"), false, true, "");
        err = cli(List.of("replicate", "-config", missing.toString()), 1);
        assertTrue(err.contains(missing + ": dbs[0]: key 'dir' (line 2): directory " + dir.resolve("nope")
                + " does not exist"), err);
    }

    @Test
    void dirEntries_pathEntry_andMultiDb_inOneFile_eachDatabaseAtItsOwnReplica() throws Exception {
        Path data = dir.resolve("data");
        db(data.resolve("a/main.db"), "main");      // listed with path: (inside dir a)
        db(data.resolve("a/one.db"), "one");
        db(data.resolve("b/two.sqlite"), "two");    // dir b; the multi-db pattern matches it too
        db(data.resolve("b/three.db"), "three");    // only the multi-db pattern matches it
        Path r = dir.resolve("r");
        Path config = Files.writeString(dir.resolve("mixed.yml"), """
                dbs:
                  - path: %1$s/a/main.db
                    replica: {type: file, path: %2$s/main}
                  - dir: %1$s/a
                    pattern: "*.db"
                    replica: {type: file, path: %2$s/a}
                  - dir: %1$s/b
                    pattern: "*.sqlite"
                    replicas:
                      - {type: file, path: %2$s/b}
                      - {url: "file://%2$s/b-copy"}
                multi-db:
                  patterns: ["%1$s/b/{name}.*"]
                  replica-template: {type: file, path: "%2$s/fleet/{{name}}"}
                """.formatted(data, r));
        Map<String, Path> expected = Map.of("main", r.resolve("main"), "one", r.resolve("a/one.db"),
                "two", r.resolve("b/two.sqlite"), "two-copy", r.resolve("b-copy/two.sqlite"),
                "three", r.resolve("fleet/three"));
        Process ours = Daemon.start(dir.resolve("mixed.log"), env(), "replicate", "-config", config.toString());
        try {
            Await.until(WAIT, () -> "every database at its replica\n" + log("mixed.log") + listing(r),
                    () -> expected.values().stream().allMatch(p -> Files.isDirectory(p.resolve("ltx/0"))));
            ours.destroy();
            assertTrue(ours.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, ours.exitValue(), log("mixed.log"));
        } finally {
            PeerProcess.kill(ours);
        }
        assertEquals(new TreeSet<>(List.of("a/one.db", "b-copy/two.sqlite", "b/two.sqlite", "fleet/three", "main")),
                shipped(r), "nothing else was shipped (main.db not by dir a, two.sqlite not by the template)\n"
                        + listing(r));
        Map<String, Path> sources = Map.of("main", data.resolve("a/main.db"), "one", data.resolve("a/one.db"),
                "two", data.resolve("b/two.sqlite"), "two-copy", data.resolve("b/two.sqlite"),
                "three", data.resolve("b/three.db"));
        for (var e : expected.entrySet()) {
            Path stock = dir.resolve("stock-" + e.getKey() + ".db");
            var res = PeerProcess.run(dir, WAIT, List.of(PeerTools.litestream().toString(), "restore", "-o",
                    stock.toString(), e.getValue().toUri().toString()));
            assertEquals(0, res.exitCode(), e.getKey() + "\n" + res.both());
            assertSame(sources.get(e.getKey()), stock, "stock restore of " + e.getKey());
            Path mine = dir.resolve("mine-" + e.getKey() + ".db");
            cli(List.of("restore", "-o", mine.toString(), e.getValue().toUri().toString()), 0);
            assertSame(sources.get(e.getKey()), mine, "our restore of " + e.getKey());
        }
    }

    /** Runs {@code litefleet} in a second JVM; asserts its exit code and returns what it printed. */
    private String cli(List<String> args, int exit) throws Exception {
        Path log = Files.createTempFile(dir, "cli", ".log");
        Process p = Daemon.start(log, env(), args.toArray(String[]::new));
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "litefleet " + args);
        } finally {
            PeerProcess.kill(p);
        }
        String out = Files.readString(log);
        assertEquals(exit, p.exitValue(), "litefleet " + args + "\n" + out);
        return out;
    }

    /** The database roots of a file replica: directories holding {@code ltx/0} with at least one LTX file. */
    private static Set<String> shipped(Path replica) {
        Set<String> roots = new TreeSet<>();
        if (!Files.isDirectory(replica)) {
            return roots;
        }
        try (Stream<Path> all = Files.walk(replica)) {
            all.filter(p -> p.getFileName().toString().endsWith(".ltx") && p.getParent().getParent().getFileName()
                    .toString().equals("ltx")).forEach(p -> roots.add(replica.relativize(p.getParent().getParent()
                    .getParent()).toString()));
        } catch (IOException e) {
            return roots; // a file renamed under the walk: the next poll sees it
        }
        return roots;
    }

    /**
     * Every directory of a file replica down to each database's {@code ltx/0} ({@code sub}, {@code sub/c.db},
     * {@code sub/c.db/ltx}, {@code sub/c.db/ltx/0}); higher levels come on each tool's compaction timer, so they
     * are left out.
     */
    private static Set<String> directories(Path replica) throws IOException {
        Set<String> dirs = new TreeSet<>();
        try (Stream<Path> all = Files.walk(replica)) {
            all.filter(Files::isDirectory).map(p -> replica.relativize(p).toString())
                    .filter(rel -> !rel.matches("(.*/)?ltx/([1-9][0-9]*)(/.*)?"))
                    .forEach(dirs::add);
        }
        return dirs;
    }

    private static String listing(Path replica) {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> all = Files.walk(replica)) {
            all.forEach(p -> b.append("  ").append(replica.relativize(p)).append('\n'));
        } catch (IOException e) {
            b.append(e).append('\n');
        }
        return b.toString();
    }

    /** {known, deleted, scans} from the last fleet status line of a log; zeros before the first. */
    private int[] lastStatus(String name) {
        int[] last = {0, 0, 0};
        Matcher m = STATUS.matcher(log(name));
        while (m.find()) {
            last = new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3))};
        }
        return last;
    }

    private String log(String name) {
        try {
            return name + ":\n" + Files.readString(dir.resolve(name)) + "\n";
        } catch (IOException e) {
            return name + ": " + e + "\n";
        }
    }

    private static void assertSame(Path source, Path restored, String what) throws Exception {
        assertEquals(DbContent.hash(source), DbContent.hash(restored), what);
        assertEquals("ok", DbContent.integrityCheck(restored), what);
    }

    private static void db(Path p, String v) throws Exception {
        Files.createDirectories(p.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + p); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t(v TEXT)");
            s.execute("INSERT INTO t VALUES ('" + v + "')");
        }
    }

    private static void write(Path db, String v) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO t VALUES ('" + v + "')");
        }
    }
}
