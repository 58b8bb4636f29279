package io.litefleet.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.control.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Routing, paging by cursor, path encoding, the bearer token and bad requests, without a socket. */
class RouterTest {
    private final FakeSource source = new FakeSource();
    private final Router open = Router.create(() -> "m 1\n", source, Optional.empty());

    private Answer get(String target) {
        return open.answer(Request.of("GET", target));
    }

    private static Map<String, Object> json(Answer a) {
        assertEquals("application/json; charset=utf-8", a.contentType());
        return Json.parseObject(a.text());
    }

    private static String error(Answer a, int status) {
        assertEquals(status, a.status(), a.text());
        return (String) json(a).get("error");
    }

    @Test
    void list_pagesThroughEveryDatabaseOnce_byOpaqueCursor() {
        for (int i = 0; i < 250; i++) {
            source.put(String.format("/data/t%03d.db", i), i % 2 == 0 ? "hot" : "cold", Optional.empty());
        }
        List<Object> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, Object> page = json(get("/v1/databases?limit=100" + (cursor == null ? "" : "&cursor="
                    + cursor)));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> dbs = (List<Map<String, Object>>) page.get("databases");
            dbs.forEach(d -> seen.add(d.get("path")));
            cursor = (String) page.get("nextCursor");
            pages++;
        } while (cursor != null);
        assertEquals(3, pages);
        assertEquals(250, seen.size());
        assertEquals(250, seen.stream().distinct().count());
        assertEquals("/data/t000.db", seen.getFirst());
        assertEquals("/data/t249.db", seen.getLast());
    }

    @Test
    void list_filtersByStateAndPrefix_andACursorStaysWithItsFilters() {
        source.put("/data/a/1.db", "hot", Optional.empty());
        source.put("/data/a/2.db", "cold", Optional.empty());
        source.put("/data/a/3.db", "cold", Optional.of("not in WAL mode"));
        source.put("/data/a/4.db", "cold", Optional.empty());
        source.put("/data/b/1.db", "cold", Optional.empty());
        Map<String, Object> page = json(get("/v1/databases?state=cold&prefix=%2Fdata%2Fa%2F&limit=1"));
        @SuppressWarnings("unchecked")
        Map<String, Object> first = ((List<Map<String, Object>>) page.get("databases")).getFirst();
        assertEquals("/data/a/2.db", first.get("path"));
        assertEquals("cold", first.get("tier"));
        String cursor = (String) page.get("nextCursor");
        Map<String, Object> next = json(get("/v1/databases?state=cold&prefix=%2Fdata%2Fa%2F&cursor=" + cursor));
        assertEquals(List.of("/data/a/4.db"), ((List<?>) next.get("databases")).stream().map(d -> ((Map<?, ?>) d)
                .get("path")).toList(), "the error one is listed under state=error only");
        assertNull(next.get("nextCursor"));
        assertTrue(error(get("/v1/databases?state=hot&cursor=" + cursor), 400).contains("'cursor' belongs to "
                + "another listing"));
        assertEquals("/data/a/3.db", ((Map<?, ?>) ((List<?>) json(get("/v1/databases?state=error")).get("databases"))
                .getFirst()).get("path"));
    }

    @Test
    void list_badParameters_are400sNamingParameterAndValue() {
        assertEquals("query parameter 'state' must be one of hot, cold, deleted, excluded, foreign, error; got "
                + "'warm'",
                error(get("/v1/databases?state=warm"), 400));
        assertEquals("query parameter 'limit' must be a whole number from 1 to 1000; got '0'",
                error(get("/v1/databases?limit=0"), 400));
        assertTrue(error(get("/v1/databases?limit=1001"), 400).contains("got '1001'"));
        assertTrue(error(get("/v1/databases?limit=ten"), 400).contains("got 'ten'"));
        assertEquals("unknown query parameter 'sort' (known: cursor, limit, prefix, state)",
                error(get("/v1/databases?sort=path"), 400));
        assertEquals("query parameter 'limit' is given twice", error(get("/v1/databases?limit=1&limit=2"), 400));
        assertTrue(error(get("/v1/databases?cursor=!!!"), 400).contains("'cursor' is not a cursor this API "
                + "returned: '!!!'"));
        assertTrue(error(get("/v1/databases?cursor=Zm9v"), 400).contains("'Zm9v'"));
        assertTrue(error(get("/v1/databases?prefix=%ZZ"), 400).contains("bad percent-escape"));
    }

    @Test
    void database_isItsAbsolutePath_encodedAsOneSegment() {
        source.put("/data/a b+c/é.db", "cold", Optional.empty());
        Map<String, Object> one = json(get("/v1/databases/" + PathSegment.encode("/data/a b+c/é.db")));
        assertEquals("/data/a b+c/é.db", one.get("path"));
        assertEquals("%2Fdata%2Fa%20b%2Bc%2F%C3%A9.db", PathSegment.encode("/data/a b+c/é.db"));
        assertEquals("/data/a b+c/é.db", Router.databasePath("%2Fdata%2Fa%20b+c%2F%C3%A9.db").toString(),
                "a + in a path is a plus");
        assertEquals("unknown database: /data/x.db", error(get("/v1/databases/%2Fdata%2Fx.db"), 404));
        assertTrue(error(get("/v1/databases/data%2Fx.db"), 400).contains("absolute path percent-encoded as one "
                + "segment ('/' as %2F), got 'data/x.db'"));
        assertTrue(error(get("/v1/databases/%2Fdata%2F..%2Fx.db"), 400).contains("must be normal"));
        assertTrue(error(get("/v1/databases/%2Fdata%2F%FF.db"), 400).contains("does not decode to UTF-8"));
        assertTrue(error(get("/v1/databases/%2Fdata%2Fx.db%2"), 400).contains("bad percent-escape at offset"));
        assertTrue(error(get("/v1/databases/data/x.db"), 404).contains("encode the path's slashes as %2F"));
        assertTrue(error(get("/v1/nothing"), 404).startsWith("no such endpoint: /v1/nothing"));
    }

    @Test
    void promote_answersByOutcome_andOnlyByPost() {
        source.put("/d/cold.db", "cold", Optional.empty());
        source.put("/d/hot.db", "hot", Optional.empty());
        source.put("/d/gone.db", "deleted", Optional.empty());
        Answer a = open.answer(Request.of("POST", "/v1/databases/%2Fd%2Fcold.db/promote"));
        assertEquals(202, a.status());
        assertEquals("accepted", json(a).get("outcome"));
        assertEquals(List.of(Path.of("/d/cold.db")), source.promoted);
        assertEquals("already_hot", json(open.answer(Request.of("POST", "/v1/databases/%2Fd%2Fhot.db/promote")))
                .get("outcome"));
        assertTrue(error(open.answer(Request.of("POST", "/v1/databases/%2Fd%2Fgone.db/promote")), 409)
                .contains("cannot be promoted"));
        assertEquals("unknown database: /d/none.db", error(open.answer(Request.of("POST",
                "/v1/databases/%2Fd%2Fnone.db/promote")), 404));
        assertEquals("GET is not allowed on /v1/databases/%2Fd%2Fcold.db/promote; use POST",
                error(get("/v1/databases/%2Fd%2Fcold.db/promote"), 405));
        assertTrue(error(open.answer(Request.of("DELETE", "/v1/databases/%2Fd%2Fcold.db")), 405).contains("use GET"));
        assertTrue(error(open.answer(Request.of("POST", "/metrics")), 405).contains("use GET"));
    }

    @Test
    void token_requiredByAllButPageAndProbes_comparedExactly() {
        Router locked = Router.create(() -> "m 1\n", source, Optional.of("t0ken"));
        Answer none = locked.answer(Request.of("GET", "/v1/databases"));
        assertTrue(error(none, 401).contains("needs 'Authorization: Bearer <token>'"));
        assertEquals("Bearer realm=\"litefleet\"", none.headers().get("WWW-Authenticate"));
        assertEquals("wrong bearer token", error(locked.answer(Request.of("GET", "/metrics")
                .withAuthorization("Bearer t0ke")), 401));
        assertEquals("wrong bearer token", error(locked.answer(Request.of("GET", "/metrics")
                .withAuthorization("Bearer t0ken2")), 401));
        assertTrue(error(locked.answer(Request.of("GET", "/metrics").withAuthorization("Basic dDBrZW4=")), 401)
                .contains("Bearer scheme"));
        assertEquals(200, locked.answer(Request.of("GET", "/metrics").withAuthorization("Bearer t0ken")).status());
        assertEquals(200, locked.answer(Request.of("GET", "/v1/fleet").withAuthorization("bearer t0ken")).status());
        assertEquals(200, locked.answer(Request.of("GET", "/healthz")).status());
        assertEquals(200, locked.answer(Request.of("GET", "/readyz")).status());
        assertEquals(200, locked.answer(Request.of("GET", "/")).status());
        assertTrue(locked.answer(Request.of("GET", "/")).text().contains("<html"));
    }

    @Test
    void healthAndReadiness_are503WithReasons() {
        assertEquals(Map.of("status", "ok", "reasons", List.of()), json(get("/healthz")));
        source.reasons = List.of("destination s3://b: failing");
        Answer sick = get("/healthz");
        assertEquals(503, sick.status());
        assertEquals(List.of("destination s3://b: failing"), json(sick).get("reasons"));
        assertEquals(true, json(get("/readyz")).get("ready"));
        source.notReady = Optional.of("the first discovery scan is not done");
        Answer notReady = get("/readyz");
        assertEquals(503, notReady.status());
        assertEquals("the first discovery scan is not done", json(notReady).get("reason"));
        assertNull(json(get("/v1/fleet")).get("nothing"));
        assertEquals("m 1\n", get("/metrics").text());
    }

    @Test
    void list_stateForeign_listsTheDatabasesAnotherInstanceReplicates_withTheirOwner() {
        source.put("/d/mine.db", "hot", Optional.empty());
        source.dbs.put("/d/mine.db", source.dbs.get("/d/mine.db").withOwner(new DatabaseView.Owner(
                Optional.of("host-a"), 42)));
        source.put("/d/theirs.db", "foreign", Optional.empty());
        source.dbs.put("/d/theirs.db", source.dbs.get("/d/theirs.db").withOwner(new DatabaseView.Owner(
                Optional.of(DatabaseView.ANOTHER_INSTANCE), 0)));
        source.put("/d/single.db", "cold", Optional.empty());
        List<?> foreign = (List<?>) json(get("/v1/databases?state=foreign")).get("databases");
        assertEquals(1, foreign.size());
        Map<?, ?> theirs = (Map<?, ?>) foreign.getFirst();
        assertEquals("/d/theirs.db", theirs.get("path"));
        assertEquals("another instance", theirs.get("owner"));
        assertEquals(null, theirs.get("token"));
        Map<String, Object> mine = json(get("/v1/databases/" + PathSegment.encode("/d/mine.db")));
        assertEquals("host-a", mine.get("owner"));
        assertEquals(42L, ((Number) mine.get("token")).longValue());
        assertTrue(!json(get("/v1/databases/" + PathSegment.encode("/d/single.db"))).containsKey("owner"),
                "no owner field without a cluster");
    }

    @Test
    void clusterOwners_withoutACluster_is404SayingSo() {
        assertEquals("no cluster is configured (the configuration has no cluster: section): every database here is "
                + "replicated by this instance alone", error(get("/v1/cluster/owners"), 404));
    }

    @Test
    void clusterOwners_pagesByLocation_andRefusesBadParameters() {
        source.owners = new java.util.TreeMap<>();
        for (int i = 0; i < 5; i++) {
            String loc = "file:///r/db" + i;
            source.owners.put(loc, new io.litefleet.api.cluster.Owner(loc, "/d/db" + i + ".db", i < 3 ? "host-a"
                    : "host-b", 10 + i));
        }
        Map<String, Object> first = json(get("/v1/cluster/owners?limit=3"));
        assertEquals("host-a", first.get("instance"));
        assertEquals(3, ((List<?>) first.get("owners")).size());
        assertEquals("file:///r/db2", first.get("nextAfter"));
        Map<String, Object> last = json(get("/v1/cluster/owners?limit=3&after=file%3A%2F%2F%2Fr%2Fdb2"));
        List<?> rest = (List<?>) last.get("owners");
        assertEquals(2, rest.size());
        assertEquals(Map.of("location", "file:///r/db3", "path", "/d/db3.db", "instance", "host-b", "token", 13L),
                normalized((Map<?, ?>) rest.getFirst()));
        assertEquals(null, last.get("nextAfter"));
        assertTrue(error(get("/v1/cluster/owners?limit=1001"), 400).contains("got '1001'"));
        assertEquals("unknown query parameter 'cursor' (known: after, limit)",
                error(get("/v1/cluster/owners?cursor=x"), 400));
        source.ownersDown = true;
        assertEquals("cannot read the cluster's owners: list owners at http://127.0.0.1:2379: connection refused",
                error(get("/v1/cluster/owners"), 503));
    }

    private static Map<String, Object> normalized(Map<?, ?> m) {
        Map<String, Object> out = new java.util.HashMap<>();
        m.forEach((k, v) -> out.put((String) k, v instanceof Number n ? (Object) n.longValue() : v));
        return out;
    }
}
