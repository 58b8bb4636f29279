package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.cli.Main;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket across processes, in both directions: stock {@code litestream} v0.5.16's {@code sync -wait},
 * {@code list}, {@code info}, {@code register} and {@code unregister} against a {@code litefleet replicate} process,
 * and ours against a {@code litestream replicate} process. Databases sync hourly on our side, so only the commands
 * ship; every replica is restored with ours and with stock litestream and compared with its source.
 */
class ControlSocketIT {
    private static final Duration MINUTE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void stockLitestreamCommands_driveALitefleetDaemon() throws Exception {
        Path litestream = PeerTools.litestream();
        Path a = db("a");
        Path b = db("b");
        Path ra = dir.resolve("replica-a");
        Path rb = dir.resolve("replica-b");
        Path sock = dir.resolve("ctl.sock");
        Path cfg = Files.writeString(dir.resolve("litefleet.yml"), """
                state-dir: %s
                socket:
                  enabled: true
                  path: %s
                dbs:
                  - path: %s
                    replica:
                      url: %s
                      sync-interval: 1h
                """.formatted(dir.resolve("state"), sock, a, ra.toUri()));
        Path log = dir.resolve("daemon.log");
        Process daemon = Daemon.start(log, "replicate", "-config", cfg.toString());
        try {
            Await.until(MINUTE, () -> "control socket listening:\n" + read(log), () -> Files.exists(sock)
                    && read(log).contains("control socket: " + sock));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            write(a, "after start");
            var sync = peer(litestream, "sync", "-wait", "-socket", sock.toString(), a.toString());
            assertEquals(0, sync.exitCode(), sync.both());
            long txid = number(sync.stdout(), "replica_txid");
            assertTrue(txid >= 1, sync.stdout());
            write(a, "second, shipped by sync -wait only");
            sync = peer(litestream, "sync", "-wait", "-timeout", "20", "-socket", sock.toString(), a.toString());
            assertEquals(0, sync.exitCode(), sync.both());
            assertEquals(txid + 1, number(sync.stdout(), "replica_txid"), sync.stdout());

            // status is offline in both tools: upstream's reads its own <db>-litestream directory, which Litefleet
            // does not write (docs/control-socket.md); ours reads the state directory's catalog.
            var stockStatus = peer(litestream, "status", "-config", cfg.toString());
            assertEquals(0, stockStatus.exitCode(), stockStatus.both());
            assertTrue(stockStatus.stdout().contains(a + "  not initialized"), stockStatus.stdout());
            String status = ours("status", "-config", cfg.toString());
            assertTrue(status.lines().anyMatch(l -> l.startsWith(a.toString()) && l.contains(" ok ")
                    && l.contains(String.format("%016x", txid + 1))), status);

            var list = peer(litestream, "list", "-socket", sock.toString());
            assertEquals(0, list.exitCode(), list.both());
            assertTrue(list.stdout().startsWith(a + " [replicating] (last sync: 20"), list.stdout());
            var info = peer(litestream, "info", "-socket", sock.toString());
            assertEquals(0, info.exitCode(), info.both());
            assertTrue(info.stdout().contains("PID:        " + daemon.pid()) && info.stdout().contains(
                    "Databases:  1"), info.stdout());

            var reg = peer(litestream, "register", "-socket", sock.toString(), "-replica", rb.toUri().toString(),
                    b.toString());
            assertEquals(0, reg.exitCode(), reg.both());
            assertTrue(reg.stdout().startsWith("status: registered\n"), reg.stdout());
            write(b, "b after register");
            assertEquals(0, peer(litestream, "sync", "-wait", "-socket", sock.toString(), b.toString()).exitCode());
            write(b, "b shipped by the final sync of unregister");
            var unreg = peer(litestream, "unregister", "-socket", sock.toString(), b.toString());
            assertEquals(0, unreg.exitCode(), unreg.both());
            assertTrue(unreg.stdout().startsWith("status: unregistered\n"), unreg.stdout());

            var unknown = peer(litestream, "sync", "-wait", "-socket", sock.toString(), dir.resolve("x.db").toString());
            assertEquals(1, unknown.exitCode());
            assertTrue(unknown.stderr().contains("sync failed: database not found: " + dir.resolve("x.db")),
                    unknown.both());

            daemon.destroy();
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, daemon.exitValue(), read(log));
            assertFalse(Files.exists(sock), "the daemon removed its socket file");
        } finally {
            PeerProcess.kill(daemon);
        }
        String out = ours("sync", "-socket", sock.toString(), a.toString());
        assertTrue(out.contains("no litefleet daemon listening on " + sock), out);
        assertRestoresEqual(a, ra);
        assertRestoresEqual(b, rb);
    }

    @Test
    void litefleetCommands_driveAStockLitestreamDaemon() throws Exception {
        Path litestream = PeerTools.litestream();
        Path c = db("c");
        Path rc = dir.resolve("replica-c");
        Path sock = dir.resolve("ls.sock");
        Path cfg = Files.writeString(dir.resolve("litestream.yml"), """
                socket:
                  enabled: true
                  path: %s
                dbs:
                  - path: %s
                    replica:
                      type: file
                      path: %s
                """.formatted(sock, c, rc));
        Process ls = new ProcessBuilder(litestream.toString(), "replicate", "-config", cfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("litestream.log").toFile()).start();
        try {
            Await.until(MINUTE, () -> "litestream's control socket:\n" + read(dir.resolve("litestream.log")),
                    () -> Files.exists(sock));
            write(c, "shipped before sync -wait returns");
            String sync = ours("sync", "-wait", "-socket", sock.toString(), c.toString());
            assertTrue(sync.startsWith("exit 0\n") && sync.contains("db_path: " + c + "\n")
                    && number(sync, "replica_txid") >= 1, sync);
            String list = ours("list", "-socket", sock.toString());
            assertTrue(list.startsWith("exit 0\n" + c + " [replicating] (last sync: 20"), list);
            String info = ours("info", "-socket", sock.toString());
            assertTrue(info.contains("PID:        " + ls.pid()), info);
            PeerProcess.stopGracefully(ls);
        } finally {
            PeerProcess.kill(ls);
        }
        assertRestoresEqual(c, rc);
    }

    private String ours(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return "exit " + code + "\n" + out + err;
    }

    private PeerProcess.Result peer(Path tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool.toString()));
        cmd.addAll(List.of(args));
        return PeerProcess.run(dir, MINUTE, cmd);
    }

    private static long number(String out, String field) {
        Matcher m = Pattern.compile("(?m)^" + field + ": (\\d+)$").matcher(out);
        assertTrue(m.find(), field + " in " + out);
        return Long.parseLong(m.group(1));
    }

    private void assertRestoresEqual(Path db, Path replica) throws Exception {
        Path ours = dir.resolve("ours-" + db.getFileName());
        String r = ours("restore", "-o", ours.toString(), replica.toUri().toString());
        assertTrue(r.startsWith("exit 0"), r);
        assertEquals(DbContent.hash(db), DbContent.hash(ours), "our restore of " + db);
        assertEquals("ok", DbContent.integrityCheck(ours));
        Path stock = dir.resolve("stock-" + db.getFileName());
        var res = peer(PeerTools.litestream(), "restore", "-o", stock.toString(), replica.toUri().toString());
        assertEquals(0, res.exitCode(), res.both());
        assertEquals(DbContent.hash(db), DbContent.hash(stock), "stock restore of " + db);
        assertEquals("ok", DbContent.integrityCheck(stock));
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private Path db(String name) throws Exception {
        Path p = dir.resolve(name + ".db");
        try (Connection c = SqliteFiles.open(p)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v TEXT)");
        }
        return p;
    }

    private static void write(Path db, String v) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "INSERT INTO t VALUES ('" + v + "')");
        }
    }
}
