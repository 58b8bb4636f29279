package io.litefleet.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.Litefleet;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.Replication;
import io.litefleet.core.control.Json;
import io.litefleet.core.engine.BothRestores;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status API and page of a running fleet of 300 databases (file replica, started once for the class): readiness
 * and health, listing and paging through every database by cursor, one database by its encoded path, the promotion
 * hint making a cold database hot, the page in headless Chromium (counts and a prefix search), and finally every
 * database restored equal to its source (ours for all, stock litestream v0.5.16 for a sample).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusApiIT {
    private static final int GROUPS = 3;
    private static final int PER_GROUP = 100;
    private static final int TOTAL = GROUPS * PER_GROUP;

    @TempDir
    static Path dir;
    static Path data;
    static Path replica;
    static Replication fleet;
    static Path notWal;
    static Path listed;
    static String base;
    static final List<Path> dbs = new ArrayList<>();

    @BeforeAll
    static void startFleet() throws Exception {
        data = dir.resolve("data");
        replica = dir.resolve("replica");
        for (int g = 0; g < GROUPS; g++) {
            for (int t = 0; t < PER_GROUP; t++) {
                dbs.add(createDb(data.resolve("g" + g).resolve(String.format("t%03d.db", t))));
            }
        }
        // Not in WAL mode: the fleet refuses it, and the API lists it under state=error with the reason.
        notWal = data.resolve("g9").resolve("rollback.db");
        Files.createDirectories(notWal.getParent());
        try (Connection c = SqliteFiles.open(notWal)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=DELETE", "CREATE TABLE t(v)", "INSERT INTO t VALUES (1)");
        }
        // A short idle timeout: the initial capture's hot databases turn cold within seconds, so the test can promote
        // a cold one into a hot set with room.
        // One database listed under dbs: beside the fleet: always hot, listed with the fleet's.
        listed = createDb(dir.resolve("own").resolve("own.db"));
        Path config = Files.writeString(dir.resolve("fleet.yml"), """
                addr: 127.0.0.1:0
                state-dir: %s
                dbs:
                  - path: %s
                    replica: {type: file, path: %s}
                multi-db:
                  enabled: true
                  patterns:
                    - "%s/{group}/{tenant}.db"
                  max-hot-databases: 20
                  scan-interval: 1s
                  hot-idle-timeout: 3s
                  replica-template:
                    type: file
                    path: "%s/{{group}}/{{tenant}}"
                    sync-interval: 200ms
                """.formatted(dir.resolve("state"), listed, dir.resolve("own-replica"), data, replica));
        fleet = Litefleet.builder().config(config).start();
        base = "http://127.0.0.1:" + fleet.metricsPort().orElseThrow();
        Await.until(Duration.ofSeconds(120), () -> "every database in the catalog: " + fleet.status(),
                () -> listAll("").size() == TOTAL + 1);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    @Order(1)
    void readyAndHealthy() throws Exception {
        Map<String, Object> ready = json(call("GET", "/readyz", 200));
        assertEquals(true, ready.get("ready"));
        Await.until(Duration.ofSeconds(30), "healthy", () -> status("/healthz") == 200);
        assertEquals("ok", json(call("GET", "/healthz", 200)).get("status"));
        Map<String, Object> summary = json(call("GET", "/v1/fleet", 200));
        assertEquals((long) TOTAL + 1, summary.get("known"), "the 300 and the one not in WAL mode");
        // inotify works here: the full scans are the hour-long safety net (the config leaves full-scan-interval out)
        assertEquals("healthy", summary.get("watch"), summary::toString);
        assertEquals(3600L, summary.get("fullScanEverySeconds"), summary::toString);
    }

    @Test
    @Order(1)
    void refusedDatabase_isListedUnderError_withItsReason() throws Exception {
        Await.until(Duration.ofSeconds(30), "the database not in WAL mode refused",
                () -> listAll("&state=error").size() == 1);
        Map<String, Object> bad = listAll("&state=error").getFirst();
        assertEquals(notWal.toString(), bad.get("path"));
        assertEquals("refused", bad.get("tier"));
        assertTrue(((String) bad.get("lastError")).toLowerCase(java.util.Locale.ROOT).contains("wal"), bad.toString());
        assertEquals(bad.get("lastError"), json(call("GET", "/v1/databases/" + PathSegment.encode(
                notWal.toString()), 200)).get("lastError"));
        assertEquals(1L, json(call("GET", "/v1/fleet", 200)).get("errors"));
    }

    @Test
    @Order(2)
    void list_pagesThroughEveryDatabaseExactlyOnce_inPathOrder() throws Exception {
        List<String> paths = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            Map<String, Object> page = json(call("GET", "/v1/databases?limit=70" + (cursor == null ? ""
                    : "&cursor=" + cursor), 200));
            ((List<?>) page.get("databases")).forEach(d -> paths.add((String) ((Map<?, ?>) d).get("path")));
            cursor = (String) page.get("nextCursor");
            pages++;
        } while (cursor != null);
        assertEquals(5, pages, "300 databases by 70");
        assertEquals(TOTAL + 1, paths.size(), "the fleet's and the one under dbs:");
        assertEquals(TOTAL + 1, new LinkedHashSet<>(paths).size(), "no database twice");
        List<String> want = new ArrayList<>(dbs.stream().map(Path::toString).toList());
        want.add(listed.toString());
        assertEquals(want.stream().sorted().toList(), paths);
        assertEquals(PER_GROUP, listAll("&prefix=" + enc(data.resolve("g1") + "/")).size());
        assertTrue(error(call("GET", "/v1/databases?state=lukewarm", 400)).contains("'lukewarm'"));
        List<Object> hot = listAll("&state=hot").stream().map(m -> m.get("path")).toList();
        assertTrue(hot.contains(listed.toString()), "the dbs: database is hot: " + hot);
        assertTrue(listAll("&state=cold").stream().noneMatch(m -> m.get("path").equals(listed.toString())));
        assertEquals("already_hot", json(call("POST", "/v1/databases/" + PathSegment.encode(listed.toString())
                + "/promote", 200)).get("outcome"));
    }

    @Test
    @Order(3)
    void one_byItsEncodedPath_hasReplicaTxidAndWindow() throws Exception {
        Path db = dbs.get(PER_GROUP + 7);
        Map<String, Object> one = json(call("GET", "/v1/databases/" + PathSegment.encode(db.toString()), 200));
        assertEquals(db.toString(), one.get("path"));
        assertNotNull(one.get("lastSync"));
        assertTrue(!one.get("txid").equals("0000000000000000"), "a TXID: " + one);
        List<?> reps = (List<?>) one.get("replicas");
        assertEquals(1, reps.size());
        assertEquals(replica.resolve("g1/t007").toUri().toString().replaceAll("/$", ""),
                ((String) ((Map<?, ?>) reps.getFirst()).get("url")).replaceAll("/$", ""));
        assertEquals(one.get("lastSync"), ((Map<?, ?>) one.get("restorable")).get("newest"));
        assertTrue(error(call("GET", "/v1/databases/" + PathSegment.encode(data + "/nope.db"), 404))
                .contains("nope.db"));
    }

    @Test
    @Order(4)
    void promote_makesAColdDatabaseHot() throws Exception {
        Await.until(Duration.ofSeconds(60), () -> "the initial hot set demoted: " + fleet.status(),
                () -> fleet.status().hot() == 0);
        Path db = dbs.get(2 * PER_GROUP + 42);
        String url = "/v1/databases/" + PathSegment.encode(db.toString());
        Map<String, Object> before = json(call("GET", url, 200));
        assertEquals("cold", before.get("tier"));
        long promotions = fleet.status().promotions();
        assertEquals("accepted", json(call("POST", url + "/promote", 202)).get("outcome"));
        Await.until(Duration.ofSeconds(20), () -> "promoted: " + fleet.status(), () -> "hot".equals(tier(url)));
        Await.until(Duration.ofSeconds(10), () -> "one promotion counted: " + fleet.status(),
                () -> fleet.status().promotions() == promotions + 1);
        List<String> hot = listAll("&state=hot").stream().map(m -> (String) m.get("path")).toList();
        assertTrue(hot.contains(db.toString()), "listed under state=hot: " + hot);
        assertEquals(List.of(listed.toString(), db.toString()).stream().sorted().toList(), hot, "only these two");
        Map<String, Object> now = json(call("GET", url, 200));
        assertNotNull(now.get("lagSeconds"), "a hot database has a lag: " + now);
        assertEquals("already_hot", json(call("POST", url + "/promote", 200)).get("outcome"));
        assertEquals(405, status(url + "/promote"));
    }

    @Test
    @Order(5)
    void statusPage_inHeadlessChromium_showsTheCounts_andAPrefixSearch() throws Exception {
        Path chromium = PeerTools.chromium();
        String prefix = data.resolve("g2").resolve("t01").toString(); // t010..t019
        String dom = dumpDom(chromium, base + "/?prefix=" + enc(prefix));
        assertTrue(dom.contains("data-loaded=\"true\""), "the page loaded its data:\n" + dom);
        assertTrue(dom.contains("id=\"count-known\">known: <b>" + (TOTAL + 1) + "</b>"), dom);
        assertTrue(dom.contains("id=\"count-errors\">errors: <b>1</b>"), dom);
        assertTrue(section(dom, "id=\"errors\"").contains("<tr data-path=\"" + notWal + "\""), dom);
        Set<String> rows = new LinkedHashSet<>();
        Matcher m = Pattern.compile("<tr data-path=\"([^\"]+)\"").matcher(section(dom, "id=\"results\""));
        while (m.find()) {
            rows.add(m.group(1));
        }
        Set<String> want = new LinkedHashSet<>();
        for (int t = 10; t < 20; t++) {
            want.add(data.resolve("g2").resolve(String.format("t%03d.db", t)).toString());
        }
        assertEquals(want, rows, "exactly the databases under the prefix");
    }

    @Test
    @Order(6)
    void everyDatabase_restoresEqualToItsSource() throws Exception {
        for (int i = 0; i < dbs.size(); i += 37) {
            write(dbs.get(i), "after the API calls " + i);
        }
        write(listed, "after the API calls");
        fleet.close(); // final syncs
        BothRestores.assertRestore(dir, dir.resolve("own-replica"), DbContent.hash(listed), listed.toString());
        for (int i = 0; i < dbs.size(); i++) {
            Path db = dbs.get(i);
            Path root = replica.resolve(db.getParent().getFileName()).resolve(db.getFileName().toString()
                    .replace(".db", ""));
            if (i % 37 == 0 || i == 2 * PER_GROUP + 42) {
                BothRestores.assertRestore(dir, root, DbContent.hash(db), db.toString());
            } else {
                ourRestoreEquals(db, root);
            }
        }
    }

    private static void ourRestoreEquals(Path db, Path root) throws Exception {
        Path out = dir.resolve("restored").resolve(db.getParent().getFileName() + "-" + db.getFileName());
        Files.createDirectories(out.getParent());
        ReplicaTarget target = new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", root.toString()))), ReplicaLayout.LTX_DIRS, "");
        try (var client = target.client()) {
            Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
            restorer.restore(target, restorer.plan(target, RestoreTarget.latest(), 4).orElseThrow(),
                    RestoreOptions.of(out));
        }
        assertEquals(DbContent.hash(db), DbContent.hash(out), "litefleet restore of " + db);
        assertEquals("ok", DbContent.integrityCheck(out));
    }

    private static String dumpDom(Path chromium, String url) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium");
        var r = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(chromium.toString(), "--headless",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--virtual-time-budget=5000", "--dump-dom", url));
        assertEquals(0, r.exitCode(), r.both());
        return r.stdout();
    }

    private static String section(String dom, String marker) {
        int at = dom.indexOf(marker);
        assertTrue(at >= 0, marker + " in\n" + dom);
        int end = dom.indexOf("</table>", at);
        return dom.substring(at, end);
    }

    private static String tier(String url) {
        try {
            return (String) json(call("GET", url, 200)).get("tier");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Map<String, Object>> listAll(String filters) {
        List<Map<String, Object>> out = new ArrayList<>();
        try {
            String cursor = null;
            do {
                Map<String, Object> page = json(call("GET", "/v1/databases?limit=1000" + filters + (cursor == null
                        ? "" : "&cursor=" + cursor), 200));
                for (Object d : (List<?>) page.get("databases")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) d;
                    out.add(m);
                }
                cursor = (String) page.get("nextCursor");
            } while (cursor != null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static String call(String method, String path, int want) throws IOException {
        HttpURLConnection c = connect(method, path);
        int got = c.getResponseCode();
        InputStream in = got >= 400 ? c.getErrorStream() : c.getInputStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(want, got, method + " " + path + ": " + body);
        return body;
    }

    private static int status(String path) {
        try {
            return connect("GET", path).getResponseCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static HttpURLConnection connect(String method, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(5_000);
        c.setReadTimeout(30_000);
        return c;
    }

    private static Map<String, Object> json(String body) {
        return Json.parseObject(body);
    }

    private static String error(String body) {
        String e = (String) json(body).get("error");
        assertNull(json(body).get("databases"));
        return e;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Path createDb(Path db) throws Exception {
        Files.createDirectories(db.getParent());
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('" + db.getFileName() + "')");
        }
        return db;
    }

    private static void write(Path db, String v) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA busy_timeout=5000", "INSERT INTO t(v) VALUES ('" + v + "')");
        }
    }
}
