package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicateCommandTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void once_oneBadDatabase_othersStillReplicateAndTheBadOneIsNamed() throws Exception {
        Path good = dir.resolve("good.db");
        Path plain = dir.resolve("plain.db");
        try (Connection c = SqliteFiles.open(good)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(x)", "INSERT INTO t VALUES (1)");
        }
        try (Connection c = SqliteFiles.open(plain)) {
            SqliteFiles.exec(c, "CREATE TABLE t(x)");
        }
        Path config = Files.writeString(dir.resolve("l.yml"), """
                state-dir: %s
                dbs:
                  - path: %s
                    convert-to-wal: false
                    replica: {type: file, path: %s}
                  - path: %s
                    replica: {type: file, path: %s}
                  - path: %s
                    replica: {type: file, path: %s}
                """.formatted(dir.resolve("state"), plain, dir.resolve("r-plain"), dir.resolve("missing.db"),
                dir.resolve("r-missing"), good, dir.resolve("r-good")));
        CliRun r = run("replicate", "-config", config.toString(), "-once");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains(plain + ": FAILED: " + plain + ": rollback-journal database (journal_mode=delete), "
                + "and convert-to-wal is off") && r.out().contains("Set 'convert-to-wal: true'"), r.out());
        assertEquals("delete", SqliteFiles.journalMode(plain), "refused, not converted");
        assertTrue(r.out().contains("missing.db: FAILED") && r.out().contains("not found"), r.out());
        assertTrue(r.out().contains(good + ": TXID 1"), r.out());
        assertTrue(Files.exists(dir.resolve("r-good/ltx/0/0000000000000001-0000000000000001.ltx")));
        assertTrue(!Files.exists(dir.resolve("missing.db")), "a missing database is never created");
    }

    @Test
    void badConfig_isOneLineNamingFileLineAndKey() throws Exception {
        Path config = Files.writeString(dir.resolve("l.yml"), "dbs:\n  - path: /a.db\n    replica: {typo: 1}\n");
        // Its own state directory: the default one is shared with whatever else runs on this machine.
        CliRun r = run("replicate", "--state-dir", dir.resolve("state").toString(), "-config", config.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("litefleet: "), r.err());
        assertTrue(r.err().contains("unknown key 'typo'") && r.err().contains(config.toString()), r.err());
        assertEquals(1, r.err().strip().lines().count(), "no stack trace: " + r.err());
    }

    @Test
    void badArguments_areExplained() {
        if (System.getenv("LITESTREAM_CONFIG") == null && !java.nio.file.Files.exists(ConfigPaths.DEFAULT)) {
            CliRun noArgs = run("replicate"); // upstream's default config file, which this machine does not have
            assertEquals(1, noArgs.code());
            assertTrue(noArgs.err().contains("no configuration file: give -config FILE (without it, "
                    + "/etc/litestream.yml is read, and it does not exist)"), noArgs.err());
        }
        CliRun oneArg = run("replicate", dir.resolve("a.db").toString());
        assertEquals(1, oneArg.code());
        assertTrue(oneArg.err().contains("usage: litefleet replicate <db-path> <replica-url>"), oneArg.err());
        CliRun badUrl = run("replicate", dir.resolve("a.db").toString(), "nowhere");
        assertEquals(1, badUrl.code());
        assertTrue(badUrl.err().contains("has no scheme"), badUrl.err());
        CliRun badInterval = run("replicate", "--state-dir", dir.resolve("s").toString(), "--status-interval",
                "soon", dir.resolve("a.db").toString(), "file:///tmp/x");
        assertEquals(1, badInterval.code());
        assertTrue(badInterval.err().contains("--status-interval must be a duration such as 30s or 1m, got 'soon'"),
                badInterval.err());
        assertTrue(!Files.exists(dir.resolve("s")), "refused before anything starts");
        CliRun unknownScheme = run("replicate", "--state-dir", dir.resolve("s").toString(),
                dir.resolve("a.db").toString(), "ftp://host/x");
        assertEquals(1, unknownScheme.code());
        assertTrue(unknownScheme.err().contains("ftp") && unknownScheme.err().contains("file"), unknownScheme.err());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"same", "nested", "nested by url"})
    void twoDatabasesWithOverlappingReplicas_areRefusedAtStart_namingBoth(String how) throws Exception {
        Path a = walDatabase("a.db");
        Path b = walDatabase("b.db");
        Path shared = dir.resolve("rep");
        String second = switch (how) {
            case "same" -> "{type: file, path: " + shared + "}";
            case "nested" -> "{type: file, path: " + shared.resolve("inner") + "}";
            default -> "{url: " + shared.resolve("inner/deeper").toUri() + "}";
        };
        Path config = Files.writeString(dir.resolve("l.yml"), """
                state-dir: %s
                dbs:
                  - path: %s
                    replica: {type: file, path: %s}
                  - path: %s
                    replica: %s
                """.formatted(dir.resolve("state"), a, shared, b, second));
        CliRun r = run("replicate", "-config", config.toString(), "-once");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(a.toString()) && r.err().contains(b.toString()), r.err());
        assertTrue(r.err().contains(how.equals("same") ? "the same replica" : "inside one another"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "no stack trace: " + r.err());
        assertTrue(!Files.exists(shared), "nothing was uploaded");
    }

    @Test
    void siblingReplicasSharingAPrefix_areNotAnOverlap() throws Exception {
        Path a = walDatabase("a.db");
        Path b = walDatabase("b.db");
        Path config = Files.writeString(dir.resolve("l.yml"), """
                state-dir: %s
                dbs:
                  - path: %s
                    replica: {type: file, path: %s}
                  - path: %s
                    replica: {type: file, path: %s}
                """.formatted(dir.resolve("state"), a, dir.resolve("rep/app"), b, dir.resolve("rep/app2")));
        CliRun r = run("replicate", "-config", config.toString(), "-once");
        assertEquals(0, r.code(), r.out() + r.err());
    }

    @Test
    void severalReplicas_eachGetsTheDatabase_andRestorePicksByNameOrTheNewest() throws Exception {
        Path db = walDatabase("multi.db");
        Path a = dir.resolve("rep-a");
        Path b = dir.resolve("rep-b");
        Path config = Files.writeString(dir.resolve("l.yml"), """
                state-dir: %s
                dbs:
                  - path: %s
                    replicas:
                      - {name: primary, type: file, path: %s}
                      - {name: copy, type: file, path: %s}
                """.formatted(dir.resolve("state"), db, a, b));
        CliRun once = run("replicate", "-config", config.toString(), "-once");
        assertEquals(0, once.code(), once.out() + once.err());
        assertTrue(Files.exists(a.resolve("ltx/0/0000000000000001-0000000000000001.ltx")), "primary has TXID 1");
        assertTrue(Files.exists(b.resolve("ltx/0/0000000000000001-0000000000000001.ltx")), "copy has TXID 1");
        try (var walk = Files.walk(b)) { // the copy is lost: restore must not choose it
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Path out = dir.resolve("restored.db");
        CliRun newest = run("restore", "-config", config.toString(), "-o", out.toString(), db.toString());
        assertEquals(0, newest.code(), newest.out() + newest.err());
        assertEquals(io.litefleet.testkit.DbContent.hash(db), io.litefleet.testkit.DbContent.hash(out));
        CliRun named = run("restore", "-config", config.toString(), "-replica", "copy", "-o",
                dir.resolve("from-copy.db").toString(), db.toString());
        assertEquals(1, named.code(), "the copy holds nothing: " + named.out() + named.err());
        assertTrue(named.err().contains("no matching backup files"), named.err());
        CliRun unknown = run("restore", "-config", config.toString(), "-replica", "nope", "-o",
                dir.resolve("x.db").toString(), db.toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("no replica named 'nope'") && unknown.err().contains("primary, copy"),
                unknown.err());
    }

    private Path walDatabase(String name) throws Exception {
        Path p = dir.resolve(name);
        try (Connection c = SqliteFiles.open(p)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(x)", "INSERT INTO t VALUES (1)");
        }
        return p;
    }
}
