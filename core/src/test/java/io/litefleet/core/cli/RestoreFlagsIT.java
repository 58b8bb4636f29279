package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.DbContent;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream's restore flags ({@code -if-db-not-exists}, {@code -if-replica-exists}, {@code -integrity-check},
 * {@code -json}, and the refusals of {@code -f}) against stock litestream v0.5.16: the same arguments on the same
 * replica give the same exit code and the same outcome (output present or not, same content).
 */
class RestoreFlagsIT {
    @TempDir
    static Path shared;
    static String good;
    static String damaged;
    static String goodHash;

    @TempDir
    Path dir;

    /** Outcome of one run: exit code, output, and the output database (null hash when absent). */
    record Outcome(int code, String stdout, String stderr, String hash) {
        boolean restored() {
            return hash != null;
        }
    }

    /**
     * A replica of a small database, and one of a database whose index does not match its table (quick_check passes,
     * integrity_check fails), both written by {@code litefleet replicate -once}.
     */
    @BeforeAll
    static void replicas() throws Exception {
        Path db = shared.resolve("good.db");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('one'), ('two')");
            goodHash = DbContent.hash(c);
        }
        good = shared.resolve("good-replica").toUri().toString();
        replicateOnce(db, good);
        Path bad = shared.resolve("damaged.db");
        try (Connection c = SqliteFiles.open(bad)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(a, b)", "CREATE INDEX i ON t(a)",
                    "INSERT INTO t VALUES (1, 2), (3, 4)", "PRAGMA writable_schema=ON",
                    "UPDATE sqlite_master SET sql = 'CREATE INDEX i ON t(b)' WHERE name = 'i'");
        }
        damaged = shared.resolve("damaged-replica").toUri().toString();
        replicateOnce(bad, damaged);
    }

    private static void replicateOnce(Path db, String url) {
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(out), "replicate", "-once", "--state-dir",
                shared.resolve("state").toString(), db.toString(), url);
        assertEquals(0, code, out.toString());
    }

    @Test
    void ifDbNotExists_existingOutput_bothExit0AndKeepIt_missingOutput_bothRestore() throws Exception {
        for (String tool : List.of("ours", "stock")) {
            Path out = Files.writeString(dir.resolve(tool + "-existing.db"), "keep me");
            Outcome o = run(tool, "restore", "-if-db-not-exists", "-o", out.toString(), good);
            assertEquals(0, o.code(), tool + ": " + o);
            assertEquals("keep me", Files.readString(out), tool);
        }
        assertSame(run("ours", "restore", "-if-db-not-exists", "-o", out("ours"), good),
                run("stock", "restore", "-if-db-not-exists", "-o", out("stock"), good), goodHash);
    }

    @Test
    void ifReplicaExists_emptyOrMissingReplica_bothExit0WithoutOutput_withoutIt_bothExit1() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        for (String replica : List.of("empty", "missing")) {
            String url = dir.resolve(replica).toUri().toString();
            assertSame(run("ours", "restore", "-if-replica-exists", "-o", out("ours"), url),
                    run("stock", "restore", "-if-replica-exists", "-o", out("stock"), url), null);
            Outcome ours = run("ours", "restore", "-o", out("ours"), url);
            assertSame(ours, run("stock", "restore", "-o", out("stock"), url), null);
            assertEquals(1, ours.code());
            assertTrue(ours.stderr().contains("no matching backup files available"), ours.stderr());
        }
        assertSame(run("ours", "restore", "-if-replica-exists", "-o", out("ours"), good),
                run("stock", "restore", "-if-replica-exists", "-o", out("stock"), good), goodHash);
        // The output is checked first: an existing database fails even when there is nothing to restore.
        String empty = dir.resolve("empty").toUri().toString();
        for (String tool : List.of("ours", "stock")) {
            Path out = Files.writeString(dir.resolve(tool + "-exists.db"), "keep me");
            Outcome o = run(tool, "restore", "-if-replica-exists", "-o", out.toString(), empty);
            assertEquals(1, o.code(), tool + ": " + o);
            assertEquals("keep me", Files.readString(out), tool);
        }
    }

    @Test
    void existingOutput_emptyFileIsReplacedAsByStock_aStaleSidecarIsRefusedWithoutForce() throws Exception {
        Path ours = Files.createFile(dir.resolve("ours-empty.db"));
        Path stock = Files.createFile(dir.resolve("stock-empty.db"));
        assertSame(run("ours", "restore", "-o", ours.toString(), good),
                run("stock", "restore", "-o", stock.toString(), good), goodHash);

        // A -wal left beside an absent output: stock checks sidecars only when the output exists, and restores
        // beside it (SQLite would apply a valid stale WAL to the restored database); ours refuses, naming it.
        Path out = dir.resolve("sidecar.db");
        Files.writeString(Path.of(out + "-wal"), "old wal");
        Outcome o = run("ours", "restore", "-o", out.toString(), good);
        assertEquals(1, o.code(), o.toString());
        assertEquals("litefleet: cannot restore, SQLite sidecar path already exists: " + out + "-wal. Use -force to "
                + "overwrite", o.stderr().strip());
        assertFalse(Files.exists(out));
        assertEquals("old wal", Files.readString(Path.of(out + "-wal")));
        Outcome forced = run("ours", "restore", "-force", "-o", out.toString(), good);
        assertEquals(0, forced.code(), forced.toString());
        assertEquals(goodHash, forced.hash());
        Path wal = Path.of(out + "-wal"); // reading the result (a WAL database) may leave an empty one
        assertTrue(!Files.exists(wal) || Files.size(wal) == 0, "the old -wal is gone");
        Path theirs = dir.resolve("stock-sidecar.db");
        Files.writeString(Path.of(theirs + "-wal"), "old wal");
        assertEquals(0, run("stock", "restore", "-o", theirs.toString(), good).code(), "stock restores beside it");
    }

    @Test
    void integrityCheck_eachMode_onAMismatchedIndex_sameExitCodeAndOutcome() throws Exception {
        for (String mode : List.of("none", "quick", "full")) {
            Outcome ours = run("ours", "restore", "-integrity-check", mode, "-o", out("ours-" + mode), damaged);
            Outcome stock = run("stock", "restore", "-integrity-check", mode, "-o", out("stock-" + mode), damaged);
            assertEquals(stock.code(), ours.code(), mode + ": " + ours + "\n" + stock);
            assertEquals(stock.restored(), ours.restored(), mode);
            assertEquals(mode.equals("full") ? 1 : 0, ours.code(), mode + ": " + ours);
            if (ours.restored()) {
                assertEquals(stock.hash(), ours.hash(), mode);
            }
        }
        Outcome full = run("ours", "restore", "-integrity-check", "full", "-o", out("ours-full2"), damaged);
        assertTrue(full.stderr().contains("fails PRAGMA integrity_check: row 1 missing from index i"),
                full.stderr());
        // Ours differs without the flag, on purpose: the default is full (upstream's none installs the damage).
        Outcome byDefault = run("ours", "restore", "-o", out("ours-default"), damaged);
        assertEquals(1, byDefault.code(), byDefault.toString());
        assertTrue(byDefault.stderr().contains("-integrity-check none restores it as it is"), byDefault.stderr());
        assertSame(run("ours", "restore", "-integrity-check", "quick", "-o", out("ours-q"), good),
                run("stock", "restore", "-integrity-check", "quick", "-o", out("stock-q"), good), goodHash);
    }

    @Test
    void integrityCheck_badValue_bothExit1_oursNamesTheValue() throws Exception {
        Outcome ours = run("ours", "restore", "-integrity-check", "thorough", "-o", out("ours"), good);
        assertSame(ours, run("stock", "restore", "-integrity-check", "thorough", "-o", out("stock"), good), null);
        assertEquals("litefleet: invalid -integrity-check value: thorough (must be none, quick or full)",
                ours.stderr().strip());
    }

    @Test
    void json_result_hasUpstreamsFieldsAndValues_andNothingElseOnStdout() throws Exception {
        Path ours = dir.resolve("ours.db");
        Path stock = dir.resolve("stock.db");
        Outcome o = run("ours", "restore", "-json", "-integrity-check", "quick", "-o", ours.toString(), good);
        Outcome s = run("stock", "restore", "-json", "-integrity-check", "quick", "-o", stock.toString(), good);
        assertSame(o, s, goodHash);
        Map<String, String> mine = fields(o.stdout());
        Map<String, String> theirs = fields(s.stdout());
        assertEquals(theirs.keySet(), mine.keySet(), o.stdout() + "\n" + s.stdout());
        assertEquals(List.copyOf(keysInOrder(s.stdout())), keysInOrder(o.stdout()), "field order");
        for (String k : List.of("replica", "txid", "integrity_check")) {
            assertEquals(theirs.get(k), mine.get(k), k);
        }
        assertEquals("\"" + ours + "\"", mine.get("db_path"));
        assertTrue(mine.get("duration_ms").matches("\\d+"), mine.toString());
        assertTrue(o.stdout().strip().startsWith("{") && o.stdout().strip().endsWith("}"), "only JSON: " + o.stdout());
    }

    @Test
    void json_dryRun_printsTheSamePlanAsStock() throws Exception {
        String target = dir.resolve("plan.db").toString();
        Outcome o = run("ours", "restore", "-json", "-dry-run", "-o", target, good);
        Outcome s = run("stock", "restore", "-json", "-dry-run", "-o", target, good);
        assertEquals(0, o.code(), o.toString());
        assertEquals(0, s.code(), s.toString());
        assertEquals(s.stdout(), o.stdout());
        assertFalse(Files.exists(Path.of(target)));
    }

    @Test
    void follow_refusals_sameExitCodeAsStock_andAnExistingFileIsKept() throws Exception {
        // -f typed for "force": the output exists without a -txid record, so both refuse and keep it.
        for (String tool : List.of("ours", "stock")) {
            Path out = Files.writeString(dir.resolve(tool + "-kept.db"), "keep me");
            Outcome o = run(tool, "restore", "-f", "-o", out.toString(), good);
            assertEquals(1, o.code(), tool + ": " + o);
            assertEquals("keep me", Files.readString(out), tool);
            if (tool.equals("ours")) {
                assertTrue(o.stderr().contains("cannot resume follow mode") && o.stderr().contains(out + "-txid"),
                        o.stderr());
            }
        }
        List<List<String>> refused = List.of(
                List.of("-f", "-txid", "0000000000000001"),
                List.of("-f", "-timestamp", "2030-01-01T00:00:00Z"),
                List.of("-f", "-dry-run"),
                List.of("-f", "-follow-interval", "soon"));
        for (List<String> flags : refused) {
            List<String> a = new ArrayList<>(List.of("restore"));
            a.addAll(flags);
            List<String> ours = new ArrayList<>(a);
            ours.addAll(List.of("-o", out("ours"), good));
            List<String> stock = new ArrayList<>(a);
            stock.addAll(List.of("-o", out("stock"), good));
            Outcome o = run("ours", ours.toArray(String[]::new));
            assertSame(o, run("stock", stock.toArray(String[]::new)), null);
            assertEquals(1, o.code(), flags + ": " + o);
            assertEquals(1, o.stderr().strip().lines().count(), "one line: " + o.stderr());
        }
    }

    // ---- helpers ----

    private String out(String name) {
        return dir.resolve(name + "-" + System.nanoTime() + ".db").toString();
    }

    /** Same exit code and outcome; {@code hash}: the content both restored (null: neither restored). */
    private static void assertSame(Outcome ours, Outcome stock, String hash) {
        assertEquals(stock.code(), ours.code(), "exit code\nours: " + ours + "\nstock: " + stock);
        assertEquals(hash, ours.hash(), "ours: " + ours);
        assertEquals(hash, stock.hash(), "stock: " + stock);
    }

    /** Runs {@code litefleet} in this JVM ({@code ours}) or stock litestream v0.5.16 with the same arguments. */
    private Outcome run(String tool, String... args) throws Exception {
        int code;
        String stdout;
        String stderr;
        if (tool.equals("ours")) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
            stdout = out.toString();
            stderr = err.toString();
            assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
        } else {
            List<String> cmd = new ArrayList<>(List.of(PeerTools.litestream().toString()));
            cmd.addAll(List.of(args));
            PeerProcess.Result r = PeerProcess.run(dir, Duration.ofSeconds(60), cmd);
            code = r.exitCode();
            stdout = r.stdout();
            stderr = r.stderr();
        }
        return new Outcome(code, stdout, stderr, outputHash(args));
    }

    private static String outputHash(String... args) throws Exception {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-o")) {
                Path p = Path.of(args[i + 1]);
                if (!Files.exists(p) || Files.size(p) < 100 || Files.readString(p, java.nio.charset.StandardCharsets
                        .ISO_8859_1).startsWith("keep me")) {
                    return null;
                }
                return DbContent.hash(p);
            }
        }
        return null;
    }

    private static final Pattern FIELD = Pattern.compile("^  \"([a-z_]+)\": (.*?),?$", Pattern.MULTILINE);

    private static Map<String, String> fields(String json) {
        Map<String, String> m = new TreeMap<>();
        Matcher x = FIELD.matcher(json);
        while (x.find()) {
            m.put(x.group(1), x.group(2));
        }
        return m;
    }

    private static List<String> keysInOrder(String json) {
        List<String> keys = new ArrayList<>();
        Matcher x = FIELD.matcher(json);
        while (x.find()) {
            keys.add(x.group(1));
        }
        return keys;
    }
}
