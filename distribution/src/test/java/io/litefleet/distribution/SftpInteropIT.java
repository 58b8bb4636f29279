package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.server.OpenSshd;
import io.litefleet.testkit.server.OpenSshdExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SFTP interop with stock {@code litestream} v0.5.16, through the built image ({@code target/litefleet/bin/litefleet},
 * the sftp plugin loaded from {@code plugins/sftp/} as a module layer with BouncyCastle and sshj) and Debian's sshd
 * started on 127.0.0.1 (once for the class). Both tools use the config form (upstream's URL form takes no key file
 * or host key). Litefleet logs in with a passphrase-protected key, and no output of ours may contain the passphrase;
 * upstream (whose sftp client cannot read encrypted keys) uses a plain one.
 */
class SftpInteropIT {
    private static final String PASSPHRASE = "interop-passphrase-7f3a";

    @RegisterExtension
    static final OpenSshdExtension SSHD = new OpenSshdExtension();

    @TempDir
    Path dir;

    @Test
    void litefleetReplica_isRestoredByStockLitestreamAndByLitefleet_equalToTheSource() throws Exception {
        Path db = dir.resolve("app.db");
        List<String> ours = new ArrayList<>();
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('first')");
            Path config = litefleetConfig(db, "backups/app");
            ours.add(image("replicate", "-config", config.toString(), "-once"));
            exec(app, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 500) "
                    + "INSERT INTO t(v) SELECT 'row ' || x FROM n",
                    "UPDATE t SET v = v || '+' WHERE id % 3 = 0");
            ours.add(image("replicate", "-config", config.toString(), "-once"));
            String source = DbContent.hash(app);

            assertTrue(ltxFiles("backups/app").size() >= 2, "LTX files in upstream's layout: "
                    + ltxFiles("backups/app"));
            ours.add(assertBothRestore(config, db, "backups/app", source));
        }
        ours.add(image("plugins"));
        assertTrue(ours.get(ours.size() - 1).lines().anyMatch(l -> l.contains("sftp") && l.contains("plugins/sftp")
                && l.contains("(module layer)")), ours.get(ours.size() - 1));
        for (String output : ours) {
            assertFalse(output.contains(PASSPHRASE), "the key passphrase leaked:\n" + output);
        }
    }

    @Test
    void upstreamReplica_isRestoredAndContinuedByLitefleet() throws Exception {
        Path db = dir.resolve("up.db");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            Process upstream = new ProcessBuilder(PeerTools.litestream().toString(), "replicate", "-config",
                    upstreamConfig(db, "backups/up").toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("litestream.log").toFile()).start();
            try {
                exec(app, "INSERT INTO t(v) VALUES ('from upstream')");
                awaitLtxFiles("backups/up", 2, dir.resolve("litestream.log"));
                PeerProcess.stopGracefully(upstream);
            } finally {
                PeerProcess.kill(upstream);
            }
            List<Path> theirs = ltxFiles("backups/up");
            long theirMax = maxTxid(theirs);

            Path config = litefleetConfig(db, "backups/up");
            Path before = dir.resolve("before.db");
            image("restore", "-config", config.toString(), "-o", before.toString(), db.toString());
            assertEquals(DbContent.hash(app), DbContent.hash(before), "litefleet restores upstream's replica");

            exec(app, "INSERT INTO t(v) VALUES ('after upstream stopped')", "INSERT INTO t(v) VALUES ('ours')");
            image("replicate", "-config", config.toString(), "-once");
            String source = DbContent.hash(app);
            List<Path> all = ltxFiles("backups/up");
            assertTrue(all.containsAll(theirs), "upstream's files are kept: " + all);
            assertTrue(maxTxid(all) > theirMax, "Litefleet wrote past upstream's TXID " + theirMax + ": " + all);

            assertBothRestore(config, db, "backups/up", source);
        }
    }

    @Test
    void daemon_keepsReplicatingAcrossAnSshdOutage_andLosesNothing() throws Exception {
        Path db = dir.resolve("daemon.db");
        Path log = dir.resolve("daemon.log");
        OpenSshd sshd = SSHD.server();
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('before')");
            Path config = litefleetConfig(db, "backups/daemon");
            Files.writeString(config, Files.readString(config) + "      sync-interval: 200ms\n");
            Process daemon = new ProcessBuilder(launcher().toString(), "replicate", "-config", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                awaitLtxFiles("backups/daemon", 1, log);
                sshd.stop();
                exec(app, "INSERT INTO t(v) VALUES ('while the server is down')");
                awaitLog(log, "sync failed");
                int before = ltxFiles("backups/daemon").size();
                sshd.restart();
                awaitLtxFiles("backups/daemon", before + 1, log); // resumed by itself, before any stop
                exec(app, "INSERT INTO t(v) VALUES ('after')");
                daemon.destroy();
                assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon stops on SIGTERM");
                assertEquals(0, daemon.exitValue(), Files.readString(log));
            } finally {
                PeerProcess.kill(daemon);
                if (!sshd.isRunning()) {
                    sshd.restart();
                }
            }
            String printed = Files.readString(log);
            System.out.println("daemon log:\n" + printed);
            assertTrue(printed.contains("sftp://" + sshd.user() + "@" + sshd.hostPort()), "failures name the "
                    + "destination:\n" + printed);
            assertFalse(printed.contains(PASSPHRASE), printed);
            assertBothRestore(config, db, "backups/daemon", DbContent.hash(app));
        }
    }

    /**
     * Restores {@code db}'s replica at {@code path} with the image and with stock {@code litestream restore}; both must
     * equal {@code source} and pass {@code integrity_check}. Returns what the image printed.
     */
    private String assertBothRestore(Path config, Path db, String path, String source) throws Exception {
        Path restored = Files.createTempDirectory(dir, "ours").resolve("ours.db");
        String printed = image("restore", "-config", config.toString(), "-o", restored.toString(), db.toString());
        assertEquals(source, DbContent.hash(restored), "litefleet restore");
        assertEquals("ok", DbContent.integrityCheck(restored));
        Path stock = Files.createTempDirectory(dir, "stock").resolve("stock.db");
        PeerProcess.Result r = PeerProcess.run(dir, Duration.ofSeconds(120), List.of(PeerTools.litestream().toString(),
                "restore", "-config", upstreamConfig(db, path).toString(), "-o", stock.toString(), db.toString()));
        assertEquals(0, r.exitCode(), "litestream restore:\n" + r.both());
        assertEquals(source, DbContent.hash(stock), "litestream restore");
        assertEquals("ok", DbContent.integrityCheck(stock));
        return printed;
    }

    private Path litefleetConfig(Path db, String path) throws Exception {
        OpenSshd sshd = SSHD.server();
        Path key = dir.resolve("litefleet_key");
        if (!Files.exists(key)) {
            Files.copy(sshd.newClientKey("litefleet_key_" + Long.toHexString(System.nanoTime()), PASSPHRASE, true),
                    key);
        }
        return Files.writeString(dir.resolve("litefleet.yml"), """
                state-dir: %s
                dbs:
                  - path: %s
                    replica:
                      type: sftp
                      host: %s
                      user: %s
                      key-path: %s
                      key-passphrase: %s
                      known-hosts-path: %s
                      path: %s
                """.formatted(dir.resolve("state"), db, sshd.hostPort(), sshd.user(), key, PASSPHRASE,
                sshd.knownHosts(), path));
    }

    private Path upstreamConfig(Path db, String path) throws Exception {
        OpenSshd sshd = SSHD.server();
        return Files.writeString(dir.resolve("litestream-" + db.getFileName() + ".yml"), """
                dbs:
                  - path: %s
                    monitor-interval: 100ms
                    replica:
                      type: sftp
                      host: %s
                      user: %s
                      key-path: %s
                      host-key: "%s"
                      path: %s
                      sync-interval: 100ms
                """.formatted(db, sshd.hostPort(), sshd.user(), sshd.clientKey(), sshd.hostKeyLine(), path));
    }

    /** The image's launcher. */
    private static Path launcher() {
        Path launcher = Path.of("target", "litefleet", "bin", "litefleet").toAbsolutePath();
        assertTrue(Files.isExecutable(launcher), "the image is built by 'package' before this IT runs: " + launcher);
        return launcher;
    }

    /** Runs the image's launcher; fails unless it exits 0; returns what it printed. */
    private String image(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher().toString()));
        cmd.addAll(List.of(args));
        PeerProcess.Result r = PeerProcess.run(dir, Duration.ofSeconds(180), cmd);
        assertEquals(0, r.exitCode(), String.join(" ", cmd) + "\n" + r.both());
        System.out.println("$ litefleet " + String.join(" ", args) + "\n" + r.stdout() + r.stderr());
        return r.stdout() + r.stderr();
    }

    private List<Path> ltxFiles(String path) throws Exception {
        Path level0 = SSHD.server().root().resolve(path).resolve("ltx");
        if (!Files.isDirectory(level0)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(level0)) {
            return s.filter(p -> ReplicaLayout.parseFileName(p.getFileName().toString()).isPresent()).sorted()
                    .toList();
        }
    }

    private static long maxTxid(List<Path> files) {
        return files.stream().mapToLong(p -> ReplicaLayout.parseFileName(p.getFileName().toString()).orElseThrow()
                .max()).max().orElse(0);
    }

    private void awaitLtxFiles(String path, int n, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ltxFiles(path).size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " LTX files under " + path + " after 60 s:\n"
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    private static void awaitLog(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + text + "' not logged within 60 s:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    private static void exec(Connection c, String... sql) throws Exception {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }
}
