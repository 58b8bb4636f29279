package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.restore.SourceHistory;
import io.litefleet.core.restore.TestReplica;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreCommandTest {
    @TempDir
    static Path shared;
    static SourceHistory history;
    static Path replicaDir;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** A file replica (upstream's file layout) with L0 files 1..5 and an L1 snapshot 1..3. */
    @BeforeAll
    static void writeReplica() throws Exception {
        history = SourceHistory.build(shared, SourceHistory.seed("RestoreCommandTest"), 5);
        replicaDir = shared.resolve("replica");
        try (ReplicaClient c = new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", replicaDir.toString())))) {
            TestReplica r = new TestReplica(history, c, ReplicaLayout.LTX_DIRS, "").level0(5);
            r.put(1, 1, 3);
        }
    }

    private int run(String... args) {
        return Main.run(new PrintWriter(out), new PrintWriter(err), args);
    }

    private String url() {
        return "file://" + replicaDir;
    }

    @Test
    void restore_latest_printsOneLineSummaryAndWritesTheSourceState() throws Exception {
        Path db = dir.resolve("out.db");
        assertEquals(0, run("restore", "-o", db.toString(), url()), err.toString());
        assertArrayEquals(history.state(5), Files.readAllBytes(db));
        String line = out.toString().strip();
        assertTrue(line.matches("restored TXID 0000000000000005 to .*out\\.db: 3 files, \\d+ bytes in [0-9.]+s"),
                line);
        assertEquals("", err.toString());
    }

    @Test
    void restore_txidAndDoubleDashSpellings_restoreThatState() throws Exception {
        Path db = dir.resolve("out.db");
        assertEquals(0, run("restore", "-txid", "2", "-parallelism", "2", "-o", db.toString(), url()),
                err.toString());
        assertArrayEquals(history.state(2), Files.readAllBytes(db));
        Path db2 = dir.resolve("out2.db");
        assertEquals(0, run("restore", "--txid", "0000000000000004", "--output", db2.toString(), url()),
                err.toString());
        assertArrayEquals(history.state(4), Files.readAllBytes(db2));
    }

    @Test
    void restore_timestamp_restoresTheStateAtThatTime() throws Exception {
        Path db = dir.resolve("out.db");
        String at = SourceHistory.time(3).plusSeconds(1).toString();
        assertEquals(0, run("restore", "-timestamp", at, "-o", db.toString(), url()), err.toString());
        assertArrayEquals(history.state(3), Files.readAllBytes(db));
    }

    @Test
    void restore_dryRun_printsThePlanAndWritesNothing() {
        Path db = dir.resolve("out.db");
        assertEquals(0, run("restore", "-dry-run", "-o", db.toString(), url()), err.toString());
        String text = out.toString();
        assertTrue(text.contains("0000000000000001 - 0000000000000005"), text);
        assertTrue(text.contains("1      0000000000000001-0000000000000003.ltx"), text);
        assertTrue(text.contains("0000000000000005-0000000000000005.ltx"), text);
        assertFalse(Files.exists(db));
    }

    @Test
    void restore_existingOutput_isRefusedNamingItUntilForced() throws Exception {
        Path db = Files.writeString(dir.resolve("out.db"), "keep me");
        assertEquals(1, run("restore", "-o", db.toString(), url()));
        assertEquals("litefleet: cannot restore, output path already exists and is not empty: " + db + ". Use -force "
                + "to overwrite", err.toString().strip());
        assertEquals("keep me", Files.readString(db));
        assertEquals(0, run("restore", "-force", "-o", db.toString(), url()), err.toString());
        assertArrayEquals(history.state(5), Files.readAllBytes(db));
    }

    @Test
    void restore_badTxid_namesTheFlagAndValue() {
        assertEquals(1, run("restore", "-txid", "xyz", "-o", dir.resolve("o.db").toString(), url()));
        assertTrue(err.toString().startsWith("litefleet: invalid -txid 'xyz': must be a hex transaction ID"),
                err.toString());
        assertEquals(1, err.toString().strip().lines().count());
    }

    @Test
    void restore_badTimestamp_namesTheFlagAndValue() {
        assertEquals(1, run("restore", "-timestamp", "yesterday", "-o", dir.resolve("o.db").toString(), url()));
        assertEquals("litefleet: invalid -timestamp 'yesterday': must be an RFC 3339 time such as "
                + "2025-01-02T03:04:05Z", err.toString().strip());
    }

    @Test
    void restore_txidWithTimestamp_isRefusedAsMutuallyExclusive() {
        assertEquals(1, run("restore", "-txid", "1", "-timestamp", "2026-01-01T00:00:00Z", "-o",
                dir.resolve("o.db").toString(), url()));
        assertEquals("litefleet: -txid and -timestamp are mutually exclusive; give one of them",
                err.toString().strip());
    }

    @Test
    void restore_followOnAnExistingOutputWithoutTxidRecord_isRefusedNotTakenAsForce() throws Exception {
        Path db = Files.writeString(dir.resolve("out.db"), "keep me");
        assertEquals(1, run("restore", "-f", "-o", db.toString(), url()));
        assertTrue(err.toString().contains("cannot resume follow mode"), err.toString());
        assertEquals("keep me", Files.readString(db));
    }

    @Test
    void restore_ifDbNotExistsWithConfig_skipsWhileTheDatabaseExists_thenRestoresItInPlace() throws Exception {
        Path db = dir.resolve("app.db");
        Path config = Files.writeString(dir.resolve("litestream.yml"), """
                dbs:
                  - path: %s
                    replica:
                      type: file
                      path: %s
                """.formatted(db, replicaDir));
        Files.writeString(db, "mine");
        assertEquals(0, run("restore", "-config", config.toString(), "-if-db-not-exists", db.toString()),
                err.toString());
        assertEquals("mine", Files.readString(db));
        assertTrue(out.toString().contains("database already exists, skipping"), out.toString());
        Files.delete(db);
        assertEquals(0, run("restore", "-config", config.toString(), "-if-db-not-exists", db.toString()),
                err.toString());
        assertArrayEquals(history.state(5), Files.readAllBytes(db));
    }

    @Test
    void restore_unknownScheme_listsTheKnownSchemes() {
        assertEquals(1, run("restore", "-o", dir.resolve("o.db").toString(), "nope://bucket/db"));
        assertEquals("litefleet: unknown replica URL scheme 'nope' in replica URL 'nope://bucket/db' (known: file)",
                err.toString().strip());
    }

    @Test
    void restore_urlWithFragment_isRefused() {
        Path db = dir.resolve("o.db");
        assertEquals(1, run("restore", "-o", db.toString(), url() + "#2"));
        assertEquals("litefleet: replica URL '" + url() + "#2' has a fragment '#2', which replica URLs do not take; "
                + "if it is part of the path, write '#' as %23: " + url() + "%232", err.toString().strip());
        assertFalse(Files.exists(db));
    }

    @Test
    void restore_urlWithQuery_isRefusedNamingIt() {
        Path db = dir.resolve("o.db");
        assertEquals(1, run("restore", "-o", db.toString(), url() + "?region=x"));
        assertEquals("litefleet: replica URL '" + url() + "?region=x' has a query '?region=x', but file URLs take no "
                + "query parameters; if it is part of the path, write '?' as %3F: " + url() + "%3Fregion=x",
                err.toString().strip());
        assertFalse(Files.exists(db));
    }

    @Test
    void restore_unescapedSpaceOrPercent_namesTheCharacter() {
        assertEquals(1, run("restore", "-o", dir.resolve("o.db").toString(), url() + "/a b"));
        assertTrue(err.toString().strip().endsWith("character ' ' at index " + (url().length() + 2)
                + " must be percent-encoded, as %20"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), "one line, no stack trace: " + err);
        err.getBuffer().setLength(0);
        assertEquals(1, run("restore", "-o", dir.resolve("o.db").toString(), url() + "/p%q"));
        assertTrue(err.toString().contains("'%' at index " + (url().length() + 2) + " does not start an escape"),
                err.toString());
    }

    @Test
    void restore_escapedUrl_readsTheDirectoryOfThatName() throws Exception {
        Path awkward = Files.createDirectories(shared.resolve("acct#2 ünï%"));
        try (var files = Files.walk(replicaDir)) {
            for (Path f : files.toList()) {
                Files.copy(f, awkward.resolve(replicaDir.relativize(f).toString()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path db = dir.resolve("out.db");
        assertEquals(0, run("restore", "-o", db.toString(), "file://" + ReplicaUrl.escapePath(awkward.toString())),
                err.toString());
        assertArrayEquals(history.state(5), Files.readAllBytes(db));
    }

    @Test
    void restore_notAUrl_saysTheConfigFormIsNotSupportedYet() {
        assertEquals(1, run("restore", "-o", dir.resolve("o.db").toString(), "/var/lib/app.db"));
        assertTrue(err.toString().contains("is not a replica URL"), err.toString());
    }

    @Test
    void restore_emptyReplica_saysNoBackupFilesAndWritesNothing() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path db = dir.resolve("o.db");
        assertEquals(1, run("restore", "-o", db.toString(), "file://" + empty));
        assertTrue(err.toString().startsWith("litefleet: no matching backup files available"), err.toString());
        assertFalse(Files.exists(db));
    }

    @Test
    void restore_missingOutput_isAUsageError() {
        assertEquals(1, run("restore", url()));
        assertTrue(err.toString().contains("-o <path> is required"), err.toString());
    }
}
