package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.SqliteFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk restore ({@code restore -config F -o DIR --all|--prefix|--pattern}) of a captured fleet: path mapping, the
 * inversion of the replica template when the sources and the catalog are gone, the catalog when the template cannot
 * be inverted, the journal and resuming, and bad arguments.
 */
class BulkRestoreTest {
    @TempDir
    static Path fleet;
    /** Source content hash per database path, taken after the capture. */
    static final Map<Path, String> HASHES = new TreeMap<>();
    static Path config;
    /** A config whose template leaves out the project: only the catalog maps its replicas back. */
    static Path lossyConfig;

    @TempDir
    Path dir;

    @BeforeAll
    static void captureFleet() throws Exception {
        Path data = fleet.resolve("data");
        List<Path> dbs = create(data, List.of("acme", "globex"));
        config = fleetConfig(fleet.resolve("litefleet.yml"), fleet.resolve("state"), data,
                fleet.resolve("replica") + "/{{project}}/{{tenant}}");
        FleetCapture.captureAll(config, dbs.size());
        lossyConfig = fleetConfig(fleet.resolve("lossy.yml"), fleet.resolve("state2"), fleet.resolve("data2"),
                fleet.resolve("replica2") + "/{{tenant}}");
        create(fleet.resolve("data2"), List.of("acme"));
        FleetCapture.captureAll(lossyConfig, 3);
        for (Path db : dbs) {
            HASHES.put(db, DbContent.hash(db));
        }
    }

    /** A config of one pattern, {@code <data>/<project>/tenants/<tenant>.db}, replicating to {@code template}. */
    static Path fleetConfig(Path file, Path state, Path data, String template) throws Exception {
        return Files.writeString(file, """
                state-dir: %s
                multi-db:
                  patterns: ["%s/*/tenants/*.db"]
                  replica-template:
                    type: file
                    path: "%s"
                """.formatted(state, data, template));
    }

    static List<Path> create(Path data, List<String> projects) throws Exception {
        List<Path> dbs = new ArrayList<>();
        for (String p : projects) {
            Path t = Files.createDirectories(data.resolve(p + "/tenants"));
            for (int i = 0; i < 3; i++) {
                Path db = t.resolve("t" + i + ".db");
                try (Connection c = SqliteFiles.open(db)) {
                    SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('"
                            + p + i + "')", "INSERT INTO t VALUES (randomblob(5000))");
                }
                dbs.add(db);
            }
        }
        return dbs;
    }

    private static CliRun restore(Path cfg, String... more) {
        List<String> args = new ArrayList<>(List.of("restore", "-config", cfg.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** The config with the state directory moved away: a new machine without the catalog. */
    private Path withoutCatalog(Path cfg) throws Exception {
        String text = Files.readString(cfg).replaceFirst("state-dir: .*", "state-dir: " + dir.resolve("empty-state"));
        return Files.writeString(dir.resolve("nocatalog.yml"), text);
    }

    private static Path under(Path out, Path db) {
        return out.resolve(db.toString().substring(1));
    }

    @Test
    void all_withoutCatalog_invertsTemplateAndRestoresEachToOutputPlusAbsolutePath() throws Exception {
        Path out = dir.resolve("restore");
        CliRun r = restore(withoutCatalog(config), "-o", out.toString(), "--all");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("6 restored, 0 skipped, 0 absent at latest, 0 failed"), r.out());
        for (Map.Entry<Path, String> e : HASHES.entrySet()) {
            Path restored = under(out, e.getKey());
            assertEquals(e.getValue(), DbContent.hash(restored), restored.toString());
            assertEquals("ok", DbContent.integrityCheck(restored));
        }
        assertTrue(Files.isRegularFile(out.resolve(RestoreJournal.FILE_NAME)));
    }

    @Test
    void secondRun_skipsVerifiedOnes_redoesChangedAndTornOnes() throws Exception {
        Path out = dir.resolve("restore");
        assertEquals(0, restore(config, "-o", out.toString(), "--all").code());
        Path first = HASHES.keySet().iterator().next();
        Files.write(under(out, first), new byte[] {1, 2, 3}, StandardOpenOption.APPEND); // changed since
        Path journal = out.resolve(RestoreJournal.FILE_NAME);
        Files.writeString(journal, "done\tlatest\t0000000000000001\t", StandardOpenOption.APPEND); // torn line
        CliRun r = restore(config, "-o", out.toString(), "--all", "-json");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("\"restored\": 1,") && r.out().contains("\"skipped\": 5,"), r.out());
        assertEquals(HASHES.get(first), DbContent.hash(under(out, first)));
        assertTrue(r.err().contains("resuming"), r.err());
        CliRun other = restore(config, "-o", out.toString(), "--all", "-timestamp", "2999-01-01T00:00:00Z");
        assertTrue(other.out().contains("6 restored, 0 skipped"), "another target redoes all: " + other.out());
    }

    @Test
    void resumedRun_warnsOfADatabaseWhoseReplicaVanished() throws Exception {
        Path replica = dir.resolve("replica-copy");
        try (java.util.stream.Stream<Path> all = Files.walk(fleet.resolve("replica"))) {
            for (Path p : all.toList()) {
                Files.copy(p, replica.resolve(fleet.resolve("replica").relativize(p).toString()));
            }
        }
        Path copy = fleetConfig(dir.resolve("copy.yml"), dir.resolve("no-state"), fleet.resolve("data"),
                replica + "/{{project}}/{{tenant}}");
        Path out = dir.resolve("restore");
        assertEquals(0, restore(copy, "-o", out.toString(), "--all").code());
        try (java.util.stream.Stream<Path> gone = Files.walk(replica.resolve("globex/t1"))) {
            for (Path p : gone.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        CliRun r = restore(copy, "-o", out.toString(), "--all");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("0 restored, 5 skipped"), r.out());
        assertTrue(r.err().contains("warning: " + fleet.resolve("data/globex/tenants/t1.db") + " was restored into "
                + out + " by an earlier run, but no replica lists it now"), r.err());
    }

    @Test
    void prefixAndPattern_selectByPath() throws Exception {
        Path data = fleet.resolve("data");
        CliRun p = restore(config, "-o", dir.resolve("p").toString(), "--prefix", data.resolve("globex") + "/");
        assertEquals(0, p.code(), p.out() + p.err());
        assertTrue(p.out().contains("3 restored"), p.out());
        assertFalse(Files.exists(under(dir.resolve("p"), data.resolve("acme/tenants/t0.db"))));
        CliRun g = restore(config, "-o", dir.resolve("g").toString(), "--pattern", data + "/*/tenants/t1.db");
        assertEquals(0, g.code(), g.out() + g.err());
        assertTrue(g.out().contains("2 restored"), g.out());
        assertTrue(Files.isRegularFile(under(dir.resolve("g"), data.resolve("acme/tenants/t1.db"))));
    }

    @Test
    void dryRun_writesNothing() throws Exception {
        Path out = dir.resolve("dry");
        CliRun r = restore(config, "-o", out.toString(), "--all", "-dry-run");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("6 planned (dry run)"), r.out());
        assertFalse(Files.exists(out));
    }

    @Test
    void timestampBeforeEveryDatabase_reportsEachAbsent() throws Exception {
        CliRun r = restore(config, "-o", dir.resolve("t").toString(), "--all", "-timestamp", "2001-01-01T00:00:00Z");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("6 absent at 2001-01-01T00:00:00Z"), r.out());
        assertTrue(r.out().contains("absent " + fleet.resolve("data/acme/tenants/t0.db") + " (no state at or before"),
                r.out());
    }

    @Test
    void templateLeavingOutAVariable_needsTheCatalog() throws Exception {
        CliRun withCatalog = restore(lossyConfig, "-o", dir.resolve("a").toString(), "--all");
        assertEquals(0, withCatalog.code(), withCatalog.out() + withCatalog.err());
        assertTrue(withCatalog.out().contains("3 restored"), withCatalog.out());
        CliRun without = restore(withoutCatalog(lossyConfig), "-o", dir.resolve("b").toString(), "--all");
        assertEquals(1, without.code(), without.out());
        assertTrue(without.out().contains("replica path '" + fleet.resolve("replica2/t0").toString().substring(1)
                + "' maps back to no database path"), without.out());
    }

    @Test
    void existingOutputOutsideAnEarlierRun_isRefusedUnlessForce() throws Exception {
        Path out = dir.resolve("x");
        Path db = fleet.resolve("data/acme/tenants/t2.db");
        Files.createDirectories(under(out, db).getParent());
        Files.writeString(under(out, db), "mine", StandardCharsets.UTF_8);
        CliRun r = restore(config, "-o", out.toString(), "--pattern", db.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("already exists") && r.out().contains("-force"), r.out());
        assertEquals("mine", Files.readString(under(out, db)));
        assertEquals(0, restore(config, "-o", dir.resolve("y").toString(), "--pattern", db.toString()).code());
    }

    @Test
    void badArguments_eachGetAClearErrorAndExitOne() throws Exception {
        String o = dir.resolve("o").toString();
        assertError(restore(config, "-o", o), "nothing to restore");
        assertError(restore(config, "-o", o, "--all", "--prefix", "/data"), "mutually exclusive");
        assertError(restore(config, "-o", o, "--pattern", "/data/[a"), "invalid --pattern '/data/[a'");
        assertError(restore(config, "-o", o, "--pattern", "tenants/*.db"), "must be an absolute glob");
        assertError(restore(config, "-o", o, "--all", "-timestamp", "yesterday"), "invalid -timestamp 'yesterday'");
        assertError(restore(config, "--all"), "needs -o DIR");
        assertError(CliRun.of("restore", "-o", o, "--all"), "needs -config FILE");
        assertError(restore(config, "-o", o, "--all", "-txid", "2"), "-txid");
        assertError(restore(config, "-o", o, "--all", "/data/a.db"), "takes no <replica-url | db-path>");
        assertError(restore(config, "-o", o, "--all", "-parallelism", "0"), "invalid --parallelism '0'");
        assertError(restore(config, "-o", o, "--prefix", "relative"), "invalid --prefix 'relative'");
        assertError(restore(config, "-o", o, "--prefix", "/nowhere/"), "no database of");
        Files.writeString(dir.resolve("file"), "x");
        assertError(restore(config, "-o", dir.resolve("file").toString(), "--all"), "is not a directory");
    }

    private static void assertError(CliRun r, String expected) {
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("\tat "), r.err()); // no stack trace
    }
}
