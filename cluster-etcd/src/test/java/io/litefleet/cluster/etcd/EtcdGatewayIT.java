package io.litefleet.cluster.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.server.Etcd;
import io.litefleet.testkit.server.ServerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The spike that settles the design note's [verify] points about etcd 3.4.23's JSON gateway, on plain
 * {@code java.net.http} (no plugin code but the JSON codec): one keep-alive POST per renewal, the claim transaction
 * and its create revision, the failing second claim naming the holder, and a watch stream that sees the DELETE when
 * the lease is revoked. Findings: /work/notes/issue14-gateway.md.
 */
class EtcdGatewayIT {
    @RegisterExtension
    static final ServerExtension<Etcd> ETCD = ServerExtension.etcd(1);
    static Etcd etcd;
    static URI base;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        etcd = ETCD.get();
        base = etcd.members().getFirst().clientUrl();
    }


    @Test
    void leaseKeepAliveClaimWatchRevoke() throws Exception {
        Map<String, Object> grant = post("/v3/lease/grant", Map.of("TTL", 5L));
        long lease = Json.int64(grant, "ID");
        assertTrue(lease != 0, "grant answers an ID: " + grant);
        assertEquals(5, Json.int64(grant, "TTL"));

        // One POST per renewal: the request body ends, the gateway answers one {"result":...} line and ends.
        for (int i = 0; i < 3; i++) {
            List<String> lines = postLines("/v3/lease/keepalive", Map.of("ID", lease));
            assertEquals(1, lines.size(), "one line per keep-alive POST: " + lines);
            Map<String, Object> result = Json.object(Json.parseObject(lines.getFirst()), "result");
            assertEquals(lease, Json.int64(result, "ID"));
            assertEquals(5, Json.int64(result, "TTL"), "a live lease's keep-alive returns its TTL: " + lines);
        }

        String key = "/spike/db/a";
        Map<String, Object> claim = post("/v3/kv/txn", claimTxn(key, "host-a", lease));
        assertTrue(Json.bool(claim, "succeeded"), "the first claim succeeds: " + claim);
        long token = Json.int64(Json.object(claim, "header"), "revision");
        assertTrue(token > 1, "the txn's header revision: " + claim);

        Map<String, Object> second = post("/v3/kv/txn", claimTxn(key, "host-b", lease));
        assertFalse(Json.bool(second, "succeeded"), "a second claim of the same key fails: " + second);
        Map<String, Object> kv = Json.objects(Json.object(Json.objects(second, "responses").getFirst(),
                "response_range"), "kvs").getFirst();
        assertEquals("host-a", Json.unb64(kv, "value"), "the failure branch names the holder");
        assertEquals(token, Json.int64(kv, "create_revision"), "the create revision is the claim txn's revision");
        assertEquals(lease, Json.int64(kv, "lease"), "the key is attached to the lease");

        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> watch = HTTP.send(request("/v3/watch", Map.of("create_request", Map.of(
                "key", Json.b64("/spike/db/"), "range_end", Json.b64("/spike/db0"),
                "start_revision", token + 1))), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, watch.statusCode());
        Thread reader = Thread.ofVirtual().name("spike-watch").start(() -> {
            try (Stream<String> lines = watch.body()) {
                lines.forEach(events::add);
            }
        });
        try {
            String created = events.poll(10, TimeUnit.SECONDS);
            assertTrue(created != null && created.contains("\"created\":true"), "watch created: " + created);

            post("/v3/lease/revoke", Map.of("ID", lease));
            String line = events.poll(10, TimeUnit.SECONDS);
            assertTrue(line != null, "an event within 10 s of the revoke");
            Map<String, Object> event = Json.objects(Json.object(Json.parseObject(line), "result"), "events")
                    .getFirst();
            assertEquals("DELETE", Json.string(event, "type"), line);
            assertEquals(key, Json.unb64(Json.object(event, "kv"), "key"));
        } finally {
            reader.interrupt();
            watch.body().close();
        }

        // A revoked (or expired, or unknown) lease: the keep-alive answers 200 with the TTL left out (0).
        List<String> lines = postLines("/v3/lease/keepalive", Map.of("ID", lease));
        Map<String, Object> gone = Json.object(Json.parseObject(lines.getFirst()), "result");
        assertEquals(0, Json.int64(gone, "TTL"), "keep-alive of a revoked lease: " + lines);
        assertFalse(gone.containsKey("TTL"));
        Map<String, Object> ttl = post("/v3/lease/timetolive", Map.of("ID", lease));
        assertEquals(-1, Json.int64(ttl, "TTL"), "timetolive of a revoked lease: " + ttl);
    }

    private static Map<String, Object> claimTxn(String key, String instance, long lease) {
        String k = Json.b64(key);
        return Map.of(
                "compare", List.of(Map.of("key", k, "target", "CREATE", "result", "EQUAL", "create_revision", 0L)),
                "success", List.of(Map.of("request_put", Map.of("key", k, "value", Json.b64(instance),
                        "lease", lease))),
                "failure", List.of(Map.of("request_range", Map.of("key", k))));
    }

    private static HttpRequest request(String path, Object body) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build();
    }

    private static Map<String, Object> post(String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request(path, body), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return Json.parseObject(r.body());
    }

    private static List<String> postLines(String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request(path, body), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body().lines().filter(l -> !l.isBlank()).toList();
    }
}
