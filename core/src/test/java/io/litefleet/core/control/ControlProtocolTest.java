package io.litefleet.core.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire and the routing, with raw HTTP as Go's client, curl or a stray client would send it: upstream's paths,
 * methods, JSON fields and error bodies, and the sizes and malformed requests a daemon must survive.
 */
class ControlProtocolTest {
    @TempDir
    Path dir;

    /** Records what it was asked; answers as a daemon with one database, /data/app.db. */
    private static class Recording implements ControlTarget {
        final List<String> calls = new ArrayList<>();
        final Path known = Path.of("/data/app.db");

        @Override
        public List<DatabaseSummary> databases() {
            return List.of(new DatabaseSummary(known.toString(), "replicating",
                    Optional.of(Instant.parse("2026-12-05T01:02:03Z"))));
        }

        @Override
        public int databaseCount() {
            return 1;
        }

        @Override
        public SyncOutcome sync(Path db, boolean wait, Duration timeout) throws ControlException {
            calls.add("sync " + db + " wait=" + wait + " timeout=" + timeout.toSeconds());
            if (!db.equals(known)) {
                throw ControlException.notFound(db);
            }
            return new SyncOutcome(true, 7, 7);
        }

        @Override
        public long txid(Path db) throws ControlException {
            if (!db.equals(known)) {
                throw ControlException.notFound(db);
            }
            return 7;
        }

        @Override
        public StateChange start(Path db, Duration timeout) {
            calls.add("start " + db);
            return new StateChange("started", 7);
        }

        @Override
        public StateChange stop(Path db, Duration timeout) {
            calls.add("stop " + db + " timeout=" + timeout.toSeconds());
            return new StateChange("stopped", 7);
        }

        @Override
        public String register(Path db, String replicaUrl) {
            calls.add("register " + db + " " + replicaUrl);
            return "registered";
        }

        @Override
        public StateChange unregister(Path db, Duration timeout) {
            return new StateChange("already_unregistered", 0);
        }
    }

    private static String exchange(Path socket, String raw) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             OutputStream out = Channels.newOutputStream(c); InputStream in = Channels.newInputStream(c)) {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
            c.shutdownOutput(); // all sent: a request cut short ends here
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String post(String path, String json) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    @Test
    void snapshot_answersWhatTheTargetDid_andATargetWithoutIt_says501() throws Exception {
        Recording plain = new Recording();
        try (ControlServer s = ControlServer.open(dir.resolve("p.sock"), 0600, plain, "1.2.3", Clock.systemUTC())) {
            String r = exchange(s.path(), post("/snapshot", "{\"path\":\"/data/app.db\"}"));
            assertTrue(r.startsWith("HTTP/1.1 501 ") && r.contains("cannot take snapshots"), r);
        }
        Recording snapshotting = new Recording() {
            @Override
            public SnapshotOutcome snapshot(Path db, Duration timeout) throws ControlException {
                calls.add("snapshot " + db + " timeout=" + timeout.toSeconds());
                if (!db.equals(known)) {
                    throw ControlException.notFound(db);
                }
                return new SnapshotOutcome(7, 1);
            }
        };
        try (ControlServer s = ControlServer.open(dir.resolve("s.sock"), 0600, snapshotting, "1.2.3",
                Clock.systemUTC())) {
            String ok = exchange(s.path(), post("/snapshot", "{\"path\":\"/data/app.db\",\"timeout\":9}"));
            assertTrue(ok.startsWith("HTTP/1.1 200 OK\r\n") && ok.contains("{\"status\":\"snapshotted\",\"path\":"
                    + "\"/data/app.db\",\"txid\":7,\"snapshots\":1}"), ok);
            assertEquals(List.of("snapshot /data/app.db timeout=9"), snapshotting.calls);
            String unknown = exchange(s.path(), post("/snapshot", "{\"path\":\"/data/other.db\"}"));
            assertTrue(unknown.startsWith("HTTP/1.1 404 ") && unknown.contains("/data/other.db"), unknown);
            String get = exchange(s.path(), "GET /snapshot HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(get.startsWith("HTTP/1.1 405 "), get);
        }
    }

    @Test
    void endpoints_answerUpstreamsJson() throws Exception {
        Recording t = new Recording();
        try (ControlServer s = ControlServer.open(dir.resolve("c.sock"), 0600, t, "1.2.3", Clock.systemUTC())) {
            String sync = exchange(s.path(), post("/sync", "{\"path\":\"/data/app.db\",\"wait\":true,\"timeout\":9}"));
            assertTrue(sync.startsWith("HTTP/1.1 200 OK\r\n"), sync);
            assertTrue(sync.endsWith("\r\n\r\n{\"status\":\"synced\",\"path\":\"/data/app.db\",\"txid\":7,"
                    + "\"replicated_txid\":7}\n"), sync);
            assertEquals("sync /data/app.db wait=true timeout=9", t.calls.get(0));
            exchange(s.path(), post("/sync", "{\"path\":\"/data/app.db\"}"));
            assertEquals("sync /data/app.db wait=false timeout=30", t.calls.get(1), "upstream's default timeout");
            String list = exchange(s.path(), "GET /list HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(list.endsWith("{\"databases\":[{\"path\":\"/data/app.db\",\"status\":\"replicating\","
                    + "\"last_sync_at\":\"2026-12-05T01:02:03Z\"}]}\n"), list);
            String txid = exchange(s.path(), "GET /txid?path=%2Fdata%2Fapp.db HTTP/1.1\r\n\r\n");
            assertTrue(txid.endsWith("{\"txid\":7}\n"), txid);
            String info = exchange(s.path(), "GET /info HTTP/1.1\r\n\r\n");
            assertTrue(info.contains("\"version\":\"1.2.3\",\"pid\":" + ProcessHandle.current().pid()), info);
            String reg = exchange(s.path(), post("/register", "{\"path\":\"sqlite:///data/b.db\",\"replica_url\":"
                    + "\"file:///r\"}"));
            assertTrue(reg.endsWith("{\"status\":\"registered\",\"path\":\"/data/b.db\"}\n"), reg);
            assertEquals("register /data/b.db file:///r", t.calls.get(2), "the sqlite:// prefix is stripped");
            String rel = exchange(s.path(), post("/stop", "{\"path\":\"rel.db\",\"timeout\":0}"));
            assertTrue(rel.contains("\"path\":\"" + Path.of("rel.db").toAbsolutePath() + "\""), rel);
            assertEquals("stop " + Path.of("rel.db").toAbsolutePath() + " timeout=30", t.calls.get(3));
            String chunked = exchange(s.path(), "POST /start HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "b\r\n{\"path\":\"/x\r\n2\r\n\"}\r\n0\r\n\r\n");
            assertTrue(chunked.contains("{\"status\":\"started\",\"path\":\"/x\",\"txid\":7}"), chunked);
        }
    }

    @Test
    void badRequests_getUpstreamsErrors_andTheDaemonGoesOn() throws Exception {
        try (ControlServer s = ControlServer.open(dir.resolve("c.sock"), 0600, new ControlHandler(new Recording(),
                "1", Clock.systemUTC()), Duration.ofSeconds(2))) {
            String notFound = exchange(s.path(), post("/sync", "{\"path\":\"/data/other.db\"}"));
            assertTrue(notFound.startsWith("HTTP/1.1 404 ") && notFound.endsWith("{\"error\":\"database not found: "
                    + "/data/other.db\"}\n"), notFound);
            String badJson = exchange(s.path(), post("/sync", "{\"path\":"));
            assertTrue(badJson.startsWith("HTTP/1.1 400 ") && badJson.contains("{\"error\":\"invalid request body\","
                    + "\"details\":\"not valid JSON at offset 8: unexpected end\"}"), badJson);
            String noPath = exchange(s.path(), post("/stop", "{}"));
            assertTrue(noPath.contains("{\"error\":\"path required\"}"), noPath);
            String wrongType = exchange(s.path(), post("/sync", "{\"path\":\"/data/app.db\",\"timeout\":\"9\"}"));
            assertTrue(wrongType.contains("\"details\":\"timeout must be a whole number of seconds, got a string\""),
                    wrongType);
            String noUrl = exchange(s.path(), post("/register", "{\"path\":\"/a.db\"}"));
            assertTrue(noUrl.contains("{\"error\":\"replica_url required\"}"), noUrl);
            assertTrue(exchange(s.path(), "GET /sync HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 405 "));
            assertTrue(exchange(s.path(), "GET /debug/pprof/ HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 404 "));
            assertTrue(exchange(s.path(), "NONSENSE\r\n\r\n").startsWith("HTTP/1.1 400 "));
            assertTrue(exchange(s.path(), "POST /sync HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n")
                    .startsWith("HTTP/1.1 413 "));
            assertTrue(exchange(s.path(), "GET /" + "x".repeat(20_000) + " HTTP/1.1\r\n\r\n")
                    .startsWith("HTTP/1.1 431 "));
            assertEquals("", exchange(s.path(), "GET /li"), "a client that hangs up mid-request gets nothing");
            try (SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(s.path()))) {
                long start = System.nanoTime();
                idle.write(java.nio.ByteBuffer.wrap("GET /li".getBytes(StandardCharsets.UTF_8)));
                assertEquals(-1, idle.read(java.nio.ByteBuffer.allocate(16)), "an idle client is hung up on");
                assertTrue(System.nanoTime() - start >= Duration.ofSeconds(1).toNanos());
            }
            assertTrue(exchange(s.path(), "GET /list HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 200 "), "still serving");
        }
    }

    @Test
    void client_readsErrorsOfBothDaemons_andNamesAMissingSocket() throws Exception {
        try (ControlServer s = ControlServer.open(dir.resolve("c.sock"), 0600, new Recording(), "1",
                Clock.systemUTC())) {
            ControlClient.Response r = ControlClient.call(s.path(), "POST", "/sync", "{\"path\":\"/nope.db\"}",
                    Duration.ofSeconds(5));
            assertEquals(404, r.status());
            assertEquals("database not found: /nope.db", r.error());
            assertEquals("404 page not found", new ControlClient.Response(404, "404 page not found\n").error(),
                    "Go's plain-text answer");
        }
        IOException e = assertThrows(IOException.class, () -> ControlClient.call(dir.resolve("c.sock"), "GET",
                "/info", null, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().startsWith("no litefleet daemon listening on " + dir.resolve("c.sock")
                + " (no socket file there"), e.getMessage());
    }

    @Test
    void json_roundTrips_andPrintsIndentedAsGo() {
        Object v = Json.parse(" {\"a\": [1, -2.5e3, true, null, \"x\\\"\\u00e9\\n\"], \"b\": {}} ");
        assertEquals(Map.of("a", java.util.Arrays.asList(1L, -2500.0, true, null, "x\"\u00e9\n"), "b", Map.of()), v);
        assertEquals("{\"a\":[1,-2500.0,true,null,\"x\\\"\u00e9\\n\"],\"b\":{}}", Json.write(v));
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("k", List.of(1));
        m.put("e", List.of());
        assertEquals("{\n  \"k\": [\n    1\n  ],\n  \"e\": []\n}", Json.writeIndented(m));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1} x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[".repeat(100)));
        assertEquals("expected a JSON object, got an array", assertThrows(IllegalArgumentException.class,
                () -> Json.parseObject("[]")).getMessage());
    }

    @Test
    void permissions_areTheOctalBits() {
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                ControlServer.permissions(0600)));
        assertEquals("rwxr-x--x", java.nio.file.attribute.PosixFilePermissions.toString(
                ControlServer.permissions(0751)));
    }
}
