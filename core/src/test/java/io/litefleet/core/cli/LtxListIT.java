package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code litefleet ltx} lists a replica's LTX files exactly as stock {@code litestream ltx} (v0.5.16) does: the same
 * table or JSON for a replica URL and for a database path with {@code -config}, every {@code -level}; the same exit
 * code for bad input.
 */
class LtxListIT {
    @TempDir
    static Path dir;
    static String url;
    static Path db;
    static Path config;

    /** Three syncs of a database into a file replica: three L0 files. */
    @BeforeAll
    static void replica() throws Exception {
        db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        url = replica.toUri().toString();
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            for (int i = 0; i < 3; i++) {
                SqliteFiles.exec(c, "INSERT INTO t(v) VALUES (randomblob(" + (1000 * (i + 1)) + "))");
                StringWriter out = new StringWriter();
                assertEquals(0, Main.run(new PrintWriter(out), new PrintWriter(out), "replicate", "-once",
                        "--state-dir", dir.resolve("state").toString(), db.toString(), url), out.toString());
            }
        }
        config = Files.writeString(dir.resolve("litestream.yml"), """
                dbs:
                  - path: %s
                    replica:
                      type: file
                      path: %s
                """.formatted(db, replica));
    }

    @Test
    void listing_eachLevelAndJson_byUrlAndByConfig_isStocksByteForByte() throws Exception {
        List<List<String>> cases = List.of(List.of(url), List.of("-level", "all", url), List.of("-level", "9", url),
                List.of("-level", "5", url), List.of("-json", "-level", "all", url), List.of("-json", "-level", "3",
                        url), List.of("-config", config.toString(), "-level", "all", db.toString()));
        for (List<String> args : cases) {
            Run ours = ours(args);
            Run stock = stock(args);
            assertEquals(0, stock.code(), args + ": " + stock);
            assertEquals(0, ours.code(), args + ": " + ours);
            assertEquals(stock.out(), ours.out(), "ltx " + args);
        }
        String all = ours(List.of("-level", "all", url)).out();
        assertTrue(all.lines().filter(l -> l.startsWith("0 ")).count() >= 3, "three L0 files: " + all);
    }

    @Test
    void badInput_sameExitCodeAsStock_oursSaysWhy() throws Exception {
        List<List<String>> cases = List.of(List.of("-level", "10", url), List.of("-level", "top", url),
                List.of("-config", config.toString(), url), List.of("-config", config.toString(),
                        dir.resolve("other.db").toString()));
        for (List<String> args : cases) {
            Run ours = ours(args);
            assertEquals(stock(args).code(), ours.code(), args + ": " + ours);
            assertEquals(1, ours.code());
            assertEquals(1, ours.err().strip().lines().count(), "one line: " + ours.err());
        }
        assertTrue(ours(List.of("-level", "10", url)).err().contains("level must be between 0 and 9"));
        String plain = ours(List.of(db.toString())).err();
        assertTrue(plain.contains("add -config"), plain);
    }

    record Run(int code, String out, String err) {
    }

    private static Run ours(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> a = new ArrayList<>(List.of("ltx"));
        a.addAll(args);
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), a.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private static Run stock(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PeerTools.litestream().toString(), "ltx"));
        cmd.addAll(args);
        PeerProcess.Result r = PeerProcess.run(dir, Duration.ofSeconds(60), cmd);
        return new Run(r.exitCode(), r.stdout(), r.stderr());
    }
}
