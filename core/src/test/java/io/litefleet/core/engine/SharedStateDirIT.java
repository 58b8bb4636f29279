package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream users run one {@code replicate} per application: two processes on different databases share the default
 * state directory; a third on a database one of them ships is refused, naming it and the owner's pid.
 */
class SharedStateDirIT {
    @TempDir
    Path dir;

    @Test
    void twoProcesses_differentDatabases_defaultStateDir_bothReplicate_sameDatabaseRefused() throws Exception {
        Map<String, String> env = Map.of("XDG_DATA_HOME", dir.resolve("xdg").toString(), "LITEFLEET_STATE_DIR", "");
        Path a = db("a");
        Path b = db("b");
        Path ra = dir.resolve("replica-a");
        Path rb = dir.resolve("replica-b");
        Process pa = Daemon.start(dir.resolve("a.log"), env, "replicate", a.toString(), ra.toUri().toString());
        Process pb = Daemon.start(dir.resolve("b.log"), env, "replicate", b.toString(), rb.toUri().toString());
        try {
            write(a, "first a");
            write(b, "first b");
            Await.until(Duration.ofSeconds(60), () -> "both processes ship:\n" + logs(), () -> Files.isDirectory(
                    ra.resolve("ltx/0")) && Files.isDirectory(rb.resolve("ltx/0")) && pa.isAlive() && pb.isAlive());
            assertTrue(Files.isDirectory(dir.resolve("xdg/litefleet")), "the default state directory is shared");

            Path log = dir.resolve("c.log");
            Process pc = Daemon.start(log, env, "replicate", a.toString(), dir.resolve("replica-c").toUri().toString());
            try {
                assertTrue(pc.waitFor(60, TimeUnit.SECONDS), "the third process exits");
                assertNotEquals(0, pc.exitValue());
            } finally {
                PeerProcess.kill(pc);
            }
            String out = Files.readString(log);
            assertTrue(out.contains(a + ": another litefleet replicate process (pid " + pa.pid() + ") is "
                    + "replicating this database"), out);
            assertTrue(!out.contains("\tat "), "no stack trace: " + out);
            assertTrue(!Files.exists(dir.resolve("replica-c")), "the refused process shipped nothing");

            write(a, "second a");
            write(b, "second b");
            for (Process p : List.of(pa, pb)) {
                p.destroy();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), Files.readString(dir.resolve(p == pa ? "a.log" : "b.log")));
            }
        } finally {
            PeerProcess.kill(pa);
            PeerProcess.kill(pb);
        }
        for (var e : Map.of(a, ra, b, rb).entrySet()) {
            Path ours = dir.resolve("ours-" + e.getKey().getFileName());
            Process r = Daemon.start(dir.resolve("restore.log"), env, "restore", "-o", ours.toString(),
                    e.getValue().toUri().toString());
            assertTrue(r.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, r.exitValue(), Files.readString(dir.resolve("restore.log")));
            assertEquals(DbContent.hash(e.getKey()), DbContent.hash(ours), "our restore of " + e.getKey());
            assertEquals("ok", DbContent.integrityCheck(ours));
            Path stock = dir.resolve("stock-" + e.getKey().getFileName());
            var res = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(),
                    "restore", "-o", stock.toString(), e.getValue().toUri().toString()));
            assertEquals(0, res.exitCode(), res.both());
            assertEquals(DbContent.hash(e.getKey()), DbContent.hash(stock), "stock restore of " + e.getKey());
        }
    }

    private String logs() {
        StringBuilder b = new StringBuilder();
        for (String n : List.of("a.log", "b.log")) {
            try {
                b.append(n).append(":\n").append(Files.readString(dir.resolve(n))).append('\n');
            } catch (java.io.IOException e) {
                b.append(n).append(": ").append(e).append('\n');
            }
        }
        return b.toString();
    }

    private Path db(String name) throws Exception {
        Path p = dir.resolve(name + ".db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + p); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t(v TEXT)");
        }
        return p;
    }

    private static void write(Path db, String v) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO t VALUES ('" + v + "')");
        }
    }
}
