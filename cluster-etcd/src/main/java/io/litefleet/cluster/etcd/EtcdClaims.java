package io.litefleet.cluster.etcd;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.CoordinatorStats.Operation;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.Owner;
import io.litefleet.api.cluster.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ownership keys: {@code <prefix>db/<location>}, value {@code {"instance":..,"db":..}}, attached to the owner's
 * lease; the key's create revision is the fencing token. Claims go in transactions of up to {@value #BATCH} keys
 * (etcd's default {@code --max-txn-ops}): "create every key if none exists", else the failure branch ranges every
 * key, naming the holders, and the free ones are tried again; a large claim keeps {@value #PARALLEL} transactions in
 * flight on the coordinator's threads. Stateless but for the HTTP client; thread-safe.
 */
final class EtcdClaims {
    /** Keys per claim transaction: etcd 3.4's default {@code --max-txn-ops}. */
    static final int BATCH = 128;
    /** Claim transactions in flight at once for one large claim (the first claim of a whole fleet at start). */
    static final int PARALLEL = 4;
    private static final int ROUNDS = 16;

    private final EtcdHttp http;
    private final String dbPrefix;
    private final String instance;
    private final ExecutorService executor;

    EtcdClaims(EtcdHttp http, String prefix, String instance, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
        this.dbPrefix = prefix + "db/";
        this.instance = instance;
    }

    /** The key prefix every ownership key starts with. */
    String dbPrefix() {
        return dbPrefix;
    }

    /** The location of ownership key {@code key}. */
    String location(String key) {
        return key.substring(dbPrefix.length());
    }

    /** Claims each of {@code batch} under {@code session}; one answer per element, in order. */
    List<Claim> claim(List<Ownable> batch, EtcdSession session) throws CoordinationException {
        Ownable.requireDistinct(batch);
        Claim[] out = new Claim[batch.size()];
        int chunks = (batch.size() + BATCH - 1) / BATCH;
        AtomicInteger next = new AtomicInteger();
        Callable<Void> worker = () -> {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                claimChunk(batch, c * BATCH, Math.min(batch.size(), (c + 1) * BATCH), session, out);
            }
            return null;
        };
        List<Future<Void>> helpers = new ArrayList<>();
        try {
            for (int i = 1; i < Math.min(PARALLEL, chunks); i++) {
                helpers.add(executor.submit(worker));
            }
            worker.call();
            for (Future<Void> f : helpers) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CoordinationException c) {
                throw c;
            }
            throw new IllegalStateException("claim failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinationException(true, "claim: interrupted", e);
        } catch (CoordinationException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("claim failed", e);
        } finally {
            next.set(chunks); // helpers still running stop after their current transaction
            helpers.forEach(f -> f.cancel(false));
        }
        return Arrays.asList(out);
    }

    private void claimChunk(List<Ownable> batch, int from, int to, EtcdSession session, Claim[] out)
            throws CoordinationException {
        List<Integer> open = new ArrayList<>();
        for (int i = from; i < to; i++) {
            open.add(i);
        }
        for (int round = 0; round < ROUNDS && !open.isEmpty(); round++) {
            if (!session.valid()) {
                throw new CoordinationException(true, "claim: the session (" + session + ") is not valid");
            }
            List<Object> compare = new ArrayList<>(open.size());
            List<Object> puts = new ArrayList<>(open.size());
            List<Object> ranges = new ArrayList<>(open.size());
            for (int i : open) {
                Ownable o = batch.get(i);
                String key = Json.b64(dbPrefix + o.location());
                compare.add(Map.of("key", key, "target", "CREATE", "result", "EQUAL", "create_revision", 0L));
                puts.add(Map.of("request_put", Map.of("key", key, "value", value(o), "lease", session.id())));
                ranges.add(Map.of("request_range", Map.of("key", key)));
            }
            Map<String, Object> answer = http.call(Operation.CLAIM, "claim " + open.size() + " location(s)", "/v3/kv/txn",
                    Map.of("compare", compare, "success", puts, "failure", ranges));
            if (Json.bool(answer, "succeeded")) {
                long token = Json.int64(Json.object(answer, "header"), "revision");
                for (int i : open) {
                    out[i] = new Claim.Owned(batch.get(i).location(), token, session);
                }
                return;
            }
            List<Map<String, Object>> responses = Json.objects(answer, "responses");
            List<Integer> free = new ArrayList<>();
            for (int j = 0; j < open.size(); j++) {
                int i = open.get(j);
                List<Map<String, Object>> kvs = j < responses.size()
                        ? Json.objects(Json.object(responses.get(j), "response_range"), "kvs") : List.of();
                if (kvs.isEmpty()) {
                    free.add(i);
                } else {
                    out[i] = held(batch.get(i).location(), kvs.getFirst(), session);
                }
            }
            open = free;
        }
        if (!open.isEmpty()) {
            throw new CoordinationException(true, "claim: " + open.size() + " location(s) changed hands during "
                    + ROUNDS + " transactions in a row, for example " + batch.get(open.getFirst()).location());
        }
    }

    /** A held key: ours when it is on our lease (claimed before, same token), else the holder's. */
    private Claim held(String location, Map<String, Object> kv, Session session) {
        long token = Json.int64(kv, "create_revision");
        if (Json.int64(kv, "lease") == session.id()) {
            return new Claim.Owned(location, token, session);
        }
        return new Claim.HeldBy(location, holder(kv).instance(), token);
    }

    /**
     * Deletes {@code location}'s key iff its create revision is at most {@code token} (a key created later, by anyone,
     * is another claim's); whether it did. At most, not equal: the locations of one database may have been created
     * in separate transactions (chunks of {@value #BATCH}, or a second round after a conflict) and the caller keeps
     * their highest token.
     */
    boolean release(String location, long token) throws CoordinationException {
        String key = Json.b64(dbPrefix + location);
        Map<String, Object> answer = http.call(Operation.RELEASE, "release " + location, "/v3/kv/txn", Map.of(
                "compare", List.of(Map.of("key", key, "target", "CREATE", "result", "LESS",
                        "create_revision", token + 1)),
                "success", List.of(Map.of("request_delete_range", Map.of("key", key)))));
        return Json.bool(answer, "succeeded");
    }

    /** Up to {@code limit} owners after location {@code after} ("" for the first page), in key order. */
    List<Owner> owners(String after, int limit) throws CoordinationException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        String start = after.isEmpty() ? dbPrefix : dbPrefix + after + "\0";
        Map<String, Object> answer = http.call(Operation.RANGE, "list owners", "/v3/kv/range", Map.of("key", Json.b64(start),
                "range_end", rangeEnd(dbPrefix), "limit", (long) limit));
        List<Owner> owners = new ArrayList<>();
        for (Map<String, Object> kv : Json.objects(answer, "kvs")) {
            Holder h = holder(kv);
            owners.add(new Owner(location(Json.unb64(kv, "key")), h.db(), h.instance(),
                    Json.int64(kv, "create_revision")));
        }
        return owners;
    }

    /** The base64 end of the key range of every key starting with {@code prefix}. */
    static String rangeEnd(String prefix) {
        byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        end[end.length - 1]++; // the prefix ends with '/', never 0xff
        return Json.b64(end);
    }

    private String value(Ownable o) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("instance", instance);
        v.put("db", o.dbPath());
        return Json.b64(Json.write(v));
    }

    /** Who a key's value names; a value this plugin did not write is shown as it is. */
    private static Holder holder(Map<String, Object> kv) {
        String text = Json.unb64(kv, "value");
        try {
            Map<String, Object> v = Json.parseObject(text);
            return new Holder(Json.string(v, "instance"), Json.string(v, "db"));
        } catch (IOException e) {
            return new Holder(text, "");
        }
    }

    private record Holder(String instance, String db) {
    }
}
