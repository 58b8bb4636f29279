package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import io.litefleet.testkit.server.ServerProcess;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk restore as an operator runs it after losing the machine: the image's {@code litefleet replicate} ships a fleet
 * of 200 databases to a file replica; the state at a time T is remembered; half of the databases are written again
 * and 5 new ones appear; the daemon stops (its final sync ships everything). Then, with the sources' state directory
 * gone: {@code restore --all -timestamp T} gives every database its state at T (the new ones reported absent);
 * {@code restore --all} (latest) is killed by PID once some databases are in its journal and run again, which skips
 * exactly those and restores the rest; every output is compared with its source (content hash and
 * {@code integrity_check}); stock {@code litestream restore} (v0.5.16) restores a sample, at T and latest, equal too;
 * {@code verify --sample} passes. While the fleet runs, the image's HTTP endpoint is checked as an operator uses it:
 * {@code /metrics} counts every database, {@code /healthz} and {@code /readyz} answer 200, the status API pages
 * through exactly the fleet, and the promotion hint makes a cold database hot.
 */
class BulkRestoreIT {
    private static final Pattern DONE = Pattern.compile("(?m)^done\t[^\t]+\t[0-9a-f]{16}\t[0-9a-f]{64}\t(.+)$");

    @TempDir
    Path dir;

    private LogTail status;
    private int port;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void fleetOf200_bulkRestoreAtTAndLatest_interruptedAndResumed_everyDatabaseEqualsItsSource() throws Exception {
        long seed = Long.getLong("litefleet.seed", new Random().nextLong());
        System.out.println("BulkRestoreIT seed=" + seed);
        Random rnd = new Random(seed);
        FleetWorkload fleet = FleetWorkload.create(dir.resolve("data"), 2, 2, 50, rnd);
        List<Path> dbs = fleet.databases();
        port = ServerProcess.freePort();
        Path config = config(fleet, dir.resolve("state"));
        Path log = dir.resolve("replicate.log");
        status = new LogTail(log);
        Process daemon = Image.process(List.of(Image.litefleet().toString(), "replicate", "-config",
                config.toString(), "--status-interval", "1s"), Map.of(), log).start();
        Map<Path, String> atT = new LinkedHashMap<>();
        Instant t;
        List<Path> born = new ArrayList<>();
        try {
            Await.until(Duration.ofMinutes(3), () -> "every database captured: " + status.status(), () -> {
                Map<String, String> s = status.status();
                return num(s, "known") == dbs.size() && num(s, "transients") >= dbs.size()
                        && num(s, "backlog") == 0 && num(s, "running") == 0;
            });
            operatorChecks(dbs);
            for (Path db : dbs) {
                atT.put(db, DbContent.hash(db));
            }
            t = Instant.now();
            for (int i = 0; i < dbs.size(); i += 2) {
                FleetWorkload.write(dbs.get(i), rnd);
            }
            for (int i = 0; i < 5; i++) {
                Path db = dbs.get(i).resolveSibling("born" + i + ".db");
                try (Connection c = SqliteFiles.open(db)) {
                    SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)",
                            "INSERT INTO t(v) VALUES (randomblob(100))");
                }
                born.add(db);
            }
            // Everything written after T is shipped before the stop (the final sync is not what this test is about).
            Await.until(Duration.ofMinutes(1), () -> "the writes after T shipped: " + status.status(),
                    () -> born.stream().allMatch(db -> shippedTxid(fleet, db) >= 1)
                            && java.util.stream.IntStream.range(0, dbs.size() / 2)
                            .allMatch(i -> shippedTxid(fleet, dbs.get(2 * i)) >= 2));
        } finally {
            assertEquals(0, Image.stop(daemon, Duration.ofSeconds(60)), "SIGTERM exits 0 after the final sync");
        }
        Map<Path, String> latest = new LinkedHashMap<>();
        for (Path db : concat(dbs, born)) {
            latest.put(db, DbContent.hash(db));
        }
        // A new machine: no catalog; the databases are found by listing the replica and inverting the template.
        Path newMachine = config(fleet, dir.resolve("lost-state"));

        Path outT = dir.resolve("at-t");
        Image.Result r = Image.litefleet(dir, Map.of(), "restore", "-config", newMachine.toString(), "-o",
                outT.toString(), "--all", "-timestamp", t.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains(dbs.size() + " restored, 0 skipped, " + born.size() + " absent at "), r.output());
        for (Path db : born) {
            assertTrue(r.output().contains("absent " + db + " (no state at or before"), r.output());
        }
        assertOutputs(outT, atT);

        Path outLatest = dir.resolve("latest");
        Set<Path> doneBeforeKill = interrupted(newMachine, outLatest, dbs.size() / 5);
        Image.Result resumed = Image.litefleet(dir, Map.of(), "restore", "-config", newMachine.toString(), "-o",
                outLatest.toString(), "--all", "-json");
        assertEquals(0, resumed.exitCode(), resumed.output());
        assertTrue(resumed.output().contains("\"skipped\": " + doneBeforeKill.size() + ","), resumed.output());
        assertTrue(resumed.output().contains("\"restored\": " + (latest.size() - doneBeforeKill.size()) + ","),
                resumed.output());
        for (Path db : doneBeforeKill) {
            assertTrue(resumed.output().contains("\"path\": \"" + db + "\",\n      \"status\": \"skipped\""),
                    db + " skipped: " + resumed.output());
        }
        assertOutputs(outLatest, latest);

        stockSample(fleet, dbs, t, atT, latest, rnd);
        Image.Result v = Image.litefleet(dir, Map.of(), "verify", "-config", config.toString(), "--sample", "20");
        assertEquals(0, v.exitCode(), v.output());
        assertTrue(v.output().contains("verified 20 databases: 20 ok, 0 failed"), v.output());
    }

    /**
     * Starts a bulk restore, kills it (SIGKILL, by PID) once at least {@code atLeast} databases are in its journal,
     * and returns the databases its journal records as done.
     */
    private Set<Path> interrupted(Path config, Path out, int atLeast) throws Exception {
        Path journal = out.resolve(".litefleet-restore.journal");
        Process p = Image.process(List.of(Image.litefleet().toString(), "restore", "-config", config.toString(), "-o",
                out.toString(), "--all", "-parallelism", "1"), Map.of(), dir.resolve("interrupted.log")).start();
        try {
            Await.until(Duration.ofMinutes(2), atLeast + " databases in the journal",
                    () -> done(journal).size() >= atLeast || !p.isAlive());
            ProcessHandle.of(p.pid()).orElseThrow().destroyForcibly();
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            Image.stop(p, Duration.ZERO);
        }
        assertEquals(137, p.exitValue(), "killed before it finished: " + Files.readString(
                dir.resolve("interrupted.log")));
        Set<Path> done = done(journal);
        System.out.println("bulk restore killed after " + done.size() + " databases");
        return done;
    }

    /** The highest TXID of the database's replica, from its LTX file names (0 when it has none yet). */
    private long shippedTxid(FleetWorkload fleet, Path db) {
        Path root = dir.resolve("replica").resolve(fleet.replicaPath(db)).resolve("ltx");
        try (java.util.stream.Stream<Path> files = Files.walk(root)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[0-9a-f]{16}-[0-9a-f]{16}\\.ltx"))
                    .mapToLong(n -> Long.parseLong(n.substring(17, 33), 16)).max().orElse(0);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0; // not there yet, or a file renamed under the walk: the next poll sees it
        }
    }

    private static Set<Path> done(Path journal) {
        Set<Path> out = new HashSet<>();
        try {
            String text = Files.readString(journal, StandardCharsets.UTF_8);
            Matcher m = DONE.matcher(text.substring(0, text.lastIndexOf('\n') + 1));
            while (m.find()) {
                out.add(Path.of(m.group(1)));
            }
        } catch (java.io.IOException | StringIndexOutOfBoundsException e) {
            return out; // not written yet
        }
        return out;
    }

    /**
     * Stock litestream restores 8 databases latest and 4 at T, each equal to the source. The ones at T are among
     * those written after T: stock v0.5.16 refuses a time after a replica's newest file ("timestamp does not
     * exist"), where ours restores the newest state.
     */
    private void stockSample(FleetWorkload fleet, List<Path> dbs, Instant t, Map<Path, String> atT,
                             Map<Path, String> latest, Random rnd) throws Exception {
        List<Path> shuffled = new ArrayList<>(dbs);
        Collections.shuffle(shuffled, rnd);
        for (int i = 0; i < 12; i++) {
            boolean past = i >= 8;
            Path db = past ? dbs.get(2 * rnd.nextInt(dbs.size() / 2)) : shuffled.get(i);
            Path out = dir.resolve("stock-" + i + ".db");
            List<String> cmd = new ArrayList<>(List.of(PeerTools.litestream().toString(), "restore", "-o",
                    out.toString()));
            if (past) {
                cmd.addAll(List.of("-timestamp", t.toString()));
            }
            cmd.add("file://" + dir.resolve("replica").resolve(fleet.replicaPath(db)));
            Image.Result r = Image.run(dir, Duration.ofMinutes(1), Map.of(), cmd.toArray(String[]::new));
            assertEquals(0, r.exitCode(), "litestream restore of " + db + ": " + r.output());
            assertEquals((past ? atT : latest).get(db), DbContent.hash(out), "litestream restore of " + db);
            assertEquals("ok", DbContent.integrityCheck(out), "litestream restore of " + db);
        }
    }

    private static void assertOutputs(Path out, Map<Path, String> want) throws Exception {
        for (Map.Entry<Path, String> e : want.entrySet()) {
            Path restored = out.resolve(e.getKey().toString().substring(1));
            assertEquals(e.getValue(), DbContent.hash(restored), restored.toString());
            assertEquals("ok", DbContent.integrityCheck(restored), restored.toString());
        }
    }

    private Path config(FleetWorkload fleet, Path state) throws Exception {
        return Files.writeString(dir.resolve(state.getFileName() + ".yml"), """
                addr: 127.0.0.1:%d
                state-dir: %s
                multi-db:
                  patterns: ["%s"]
                  max-hot-databases: 50
                  scan-interval: 1s
                  replica-template:
                    type: file
                    path: "%s/{{project}}/{{database}}/{{branch}}/{{tenant}}"
                    sync-interval: 1s
                """.formatted(port, state, fleet.pattern(), dir.resolve("replica")));
    }

    /** Metrics, probes, the paged listing and the promotion hint of the running image. */
    private void operatorChecks(List<Path> dbs) throws Exception {
        Matcher discovered = Pattern.compile("(?m)^litefleet_fleet_discovered_databases (\\S+)$")
                .matcher(get("/metrics", 200));
        assertTrue(discovered.find(), "litefleet_fleet_discovered_databases is scraped");
        assertEquals(dbs.size(), Double.parseDouble(discovered.group(1)), 0.0, "every database discovered");
        get("/healthz", 200);
        get("/readyz", 200);
        Set<String> listed = new HashSet<>();
        Pattern path = Pattern.compile("\"path\"\\s*:\\s*\"([^\"]+)\"");
        Pattern next = Pattern.compile("\"nextCursor\"\\s*:\\s*(?:null|\"([^\"]+)\")");
        String cursor = null;
        int pages = 0;
        do {
            String page = get("/v1/databases?limit=64" + (cursor == null ? "" : "&cursor=" + cursor), 200);
            for (Matcher m = path.matcher(page); m.find(); ) {
                assertTrue(listed.add(m.group(1)), m.group(1) + " listed twice");
            }
            Matcher m = next.matcher(page);
            assertTrue(m.find(), page);
            cursor = m.group(1);
            pages++;
        } while (cursor != null);
        assertEquals(dbs.stream().map(Path::toString).collect(java.util.stream.Collectors.toSet()), listed);
        assertEquals(4, pages, "200 databases in pages of 64");
        Matcher cold = path.matcher(get("/v1/databases?state=cold&limit=1", 200));
        assertTrue(cold.find(), "a cold database after the first capture");
        String one = "/v1/databases/" + URLEncoder.encode(cold.group(1), StandardCharsets.UTF_8);
        assertTrue(get(one, 200).matches("(?s).*\"tier\"\\s*:\\s*\"cold\".*"));
        HttpResponse<String> hint = http.send(HttpRequest.newBuilder(url(one + "/promote"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(hint.statusCode() / 100 == 2, hint.statusCode() + " " + hint.body());
        Await.until(Duration.ofSeconds(30), cold.group(1) + " hot after the hint",
                () -> unchecked(() -> get(one, 200)).matches("(?s).*\"tier\"\\s*:\\s*\"hot\".*"));
        get("/v1/databases?limit=0", 400);
    }

    private String get(String target, int status) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url(target)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), target + ": " + r.body());
        return r.body();
    }

    private static String unchecked(java.util.concurrent.Callable<String> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private URI url(String target) {
        return URI.create("http://127.0.0.1:" + port + target);
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static long num(Map<String, String> status, String field) {
        String v = status.get(field);
        return v == null ? -1 : Long.parseLong(v);
    }
}
