package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import io.litefleet.testkit.server.VersityGwExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follow mode on S3 (versitygw): the image's {@code litefleet restore -f} keeps a read replica of a database stock
 * litestream v0.5.16 replicates to S3, by replica URL; SIGTERM stops it with exit 0; the follower, the image's restore
 * and stock's restore all equal the source; {@code litefleet ltx} lists the replica as {@code litestream ltx} does.
 */
class S3FollowIT {
    private static final String BUCKET = "follow";

    @RegisterExtension
    static final VersityGwExtension S3 = new VersityGwExtension(BUCKET);

    @TempDir
    Path dir;

    @Test
    void imageFollower_keepsUpWithStockReplicationToS3_andStopsOnSigterm() throws Exception {
        Path db = dir.resolve("app.db");
        Path follower = dir.resolve("follower.db");
        String url = S3.gw().url(BUCKET, "app");
        Path yml = Files.writeString(dir.resolve("litestream.yml"), """
                dbs:
                  - path: %s
                    monitor-interval: 100ms
                    replica:
                      url: %s
                      sync-interval: 100ms
                """.formatted(db, url));
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)",
                    "INSERT INTO t(v) VALUES (randomblob(2000))");
            Process upstream = Image.process(List.of(PeerTools.litestream().toString(), "replicate", "-config",
                    yml.toString()), S3.gw().childEnvironment(), dir.resolve("litestream.log")).start();
            Path log = dir.resolve("follow.log");
            Process follow = null;
            try {
                Await.until(Duration.ofSeconds(60), "upstream shipped the first file",
                        () -> Files.isDirectory(S3.gw().bucketDir(BUCKET).resolve("app/0000")));
                follow = Image.process(List.of(Image.litefleet().toString(), "restore", "-f", "-follow-interval",
                        "100ms", "-o", follower.toString(), url), S3.gw().childEnvironment(), log).start();
                for (int i = 0; i < 5; i++) {
                    SqliteFiles.exec(app, "INSERT INTO t(v) VALUES (randomblob(" + (500 + i * 900) + "))",
                            "UPDATE t SET v = randomblob(100) WHERE id = 1");
                    awaitEqual(app, follower, follow, log);
                }
                assertEquals(0, Image.stop(follow, Duration.ofSeconds(30)), Files.readString(log));
                assertTrue(Files.readString(log).contains("follow mode stopped at TXID"), Files.readString(log));
                assertEquals(0, Image.stop(upstream, Duration.ofSeconds(30)));
            } finally {
                if (follow != null) {
                    Image.stop(follow, Duration.ZERO);
                }
                Image.stop(upstream, Duration.ZERO);
            }
            Image.Result ourList = Image.litefleet(dir, S3.gw().childEnvironment(), "ltx", "-level", "all", url);
            Image.Result stockList = Image.run(dir, Duration.ofMinutes(1), S3.gw().childEnvironment(),
                    PeerTools.litestream().toString(), "ltx", "-level", "all", url);
            assertEquals(0, ourList.exitCode(), ourList.output());
            assertEquals(stockList.output(), ourList.output(), "litefleet ltx lists the S3 replica as stock does");
            String source = DbContent.hash(app);
            assertEquals(source, DbContent.hash(follower), "the follower");
            assertEquals("ok", DbContent.integrityCheck(follower));
            Path ours = dir.resolve("ours.db");
            Image.Result r = Image.litefleet(dir, S3.gw().childEnvironment(), "restore", "-o", ours.toString(), url);
            assertEquals(0, r.exitCode(), r.output());
            assertEquals(source, DbContent.hash(ours), "litefleet restore");
            Path stock = dir.resolve("stock.db");
            Image.Result s = Image.run(dir, Duration.ofMinutes(1), S3.gw().childEnvironment(),
                    PeerTools.litestream().toString(), "restore", "-o", stock.toString(), url);
            assertEquals(0, s.exitCode(), s.output());
            assertEquals(source, DbContent.hash(stock), "litestream restore");
            assertEquals("ok", DbContent.integrityCheck(stock));
        }
    }

    private static void awaitEqual(Connection app, Path follower, Process follow, Path log) throws Exception {
        String want = DbContent.hash(app);
        Await.until(Duration.ofSeconds(60), () -> "the follower caught up (alive: " + follow.isAlive() + ")\n"
                + read(log), () -> !follow.isAlive() || (Files.exists(follower) && want.equals(hash(follower))));
        assertTrue(follow.isAlive(), read(log));
    }

    private static String hash(Path db) {
        try {
            return DbContent.hash(db);
        } catch (SQLException e) {
            return null; // busy while an update is written
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
