package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code -config}, the image reads upstream's default config file as stock {@code litestream} does
 * ({@code $LITESTREAM_CONFIG}, else {@code /etc/litestream.yml}): {@code replicate -once}, {@code databases},
 * {@code ltx <db>} and {@code restore <db>} each given only the database path; each command's output is compared with
 * stock litestream v0.5.16's under the same environment, and both restores with the source.
 */
class DefaultConfigIT {
    @TempDir
    Path dir;

    @Test
    void everyCommandFindsTheDatabaseThroughLitestreamConfig_asStockDoes() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('found through $LITESTREAM_CONFIG')");
        }
        Path config = Files.writeString(dir.resolve("elsewhere.yml"), """
                dbs:
                  - path: %s
                    replica:
                      url: file://%s
                """.formatted(db, dir.resolve("replica")));
        Map<String, String> env = Map.of("LITESTREAM_CONFIG", config.toString(),
                "LITEFLEET_STATE_DIR", dir.resolve("state").toString());

        Image.Result once = Image.litefleet(dir, env, "replicate", "-once");
        assertEquals(0, once.exitCode(), once.output());
        Image.Result listed = Image.litefleet(dir, env, "databases");
        assertEquals(stock(env, "databases"), listed.output());
        assertTrue(listed.output().contains(db + "  file"), listed.output());
        Image.Result ltx = Image.litefleet(dir, env, "ltx", db.toString());
        assertEquals(0, ltx.exitCode(), ltx.output());
        assertEquals(stock(env, "ltx", db.toString()), ltx.output());
        assertTrue(ltx.output().contains("0      0000000000000001  0000000000000001"), ltx.output());

        Path ours = dir.resolve("ours.db");
        Image.Result restored = Image.litefleet(dir, env, "restore", "-o", ours.toString(), db.toString());
        assertEquals(0, restored.exitCode(), restored.output());
        Path theirs = dir.resolve("stock.db");
        stock(env, "restore", "-o", theirs.toString(), db.toString());
        for (Path p : new Path[] {ours, theirs}) {
            assertEquals(DbContent.hash(db), DbContent.hash(p), p.toString());
            assertEquals("ok", DbContent.integrityCheck(p), p.toString());
        }
    }

    /** Stock litestream's standard output for {@code args}, which must succeed. */
    private String stock(Map<String, String> env, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = PeerTools.litestream().toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Path out = Files.createTempFile(dir, "stock", ".out");
        Process p = Image.process(java.util.List.of(command), env, dir.resolve("stock.log"))
                .redirectErrorStream(false).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("stock.log").toFile())).start();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "stock " + String.join(" ", args));
        assertEquals(0, p.exitValue(), "stock litestream " + String.join(" ", args) + ": "
                + Files.readString(dir.resolve("stock.log")));
        return Files.readString(out);
    }
}
