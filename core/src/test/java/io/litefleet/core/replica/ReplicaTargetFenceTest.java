package io.litefleet.core.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.Session;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.testkit.InMemoryCoordinator;
import io.litefleet.testkit.InMemoryReplicaClient;
import io.litefleet.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link ReplicaTarget#put} and {@link ReplicaTarget#delete} check the {@link Fence} before the client is called. */
class ReplicaTargetFenceTest {
    private static final Duration VALIDITY = Duration.ofSeconds(8);
    private static final byte[] BYTES = "ltx bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final Instant T0 = Instant.parse("2026-12-05T15:00:00Z");

    private final InMemoryReplicaClient store = InMemoryReplicaClient.create(new MutableClock(T0));
    private final AtomicInteger requests = new AtomicInteger();
    private final ReplicaClient counted = CountingClient.borrowing(store, (op, failure) -> requests.incrementAndGet());
    private final InMemoryCoordinator coordinator = InMemoryCoordinator.single("host-a", VALIDITY);

    private ReplicaTarget owned(String path) throws Exception {
        ReplicaTarget t = new ReplicaTarget(counted, ReplicaLayout.LTX_DIRS, path);
        Claim claim = coordinator.claim(List.of(new Ownable(t.describe(), "/data/" + path + ".db"))).get(0);
        return t.withFence(Fence.of((Claim.Owned) claim, coordinator.instanceId()));
    }

    @Test
    void put_afterTheSessionsValidityPassed_isFencedBeforeAnyRequest() throws Exception {
        ReplicaTarget t = owned("db1");
        String key = t.key(0, 1, 1);
        t.put(key, ObjectBody.of(BYTES), PutOptions.DEFAULT.withTimestamp(T0));
        assertEquals(1, requests.get(), "a valid session writes");

        coordinator.advance(VALIDITY); // no keep-alive answered for the whole validity
        String next = t.key(0, 2, 2);
        ReplicaException e = assertThrows(ReplicaException.class,
                () -> t.put(next, ObjectBody.of(BYTES), PutOptions.DEFAULT.withTimestamp(T0)));

        assertEquals(ReplicaFailure.FENCED, e.failure());
        assertFalse(e.isRetryable());
        assertTrue(e.getMessage().contains(t.url(next)) && e.getMessage().contains("host-a"), e.getMessage());
        assertEquals(1, requests.get(), "no request after the fence closed");
        assertTrue(store.stat(next).isEmpty());
    }

    @Test
    void delete_afterTheSessionsValidityPassed_isFencedBeforeAnyRequest() throws Exception {
        ReplicaTarget t = owned("db1");
        String key = t.key(0, 1, 1);
        t.put(key, ObjectBody.of(BYTES), PutOptions.DEFAULT.withTimestamp(T0));
        coordinator.advance(VALIDITY.plusSeconds(1));
        int before = requests.get();

        ReplicaException e = assertThrows(ReplicaException.class, () -> t.delete(List.of(key)));

        assertEquals(ReplicaFailure.FENCED, e.failure());
        assertEquals(before, requests.get());
        assertTrue(store.stat(key).isPresent(), "the object is still there");
    }

    @Test
    void largeDelete_sessionLostBetweenItsRequests_stopsAtTheNextChunk() throws Exception {
        List<String> deleted = new ArrayList<>();
        ReplicaClient losing = (ReplicaClient) Proxy.newProxyInstance(ReplicaClient.class.getClassLoader(),
                new Class<?>[] {ReplicaClient.class}, (proxy, method, args) -> {
                    if (method.getName().equals("delete")) {
                        @SuppressWarnings("unchecked")
                        java.util.Collection<String> keys = (java.util.Collection<String>) args[0];
                        deleted.addAll(keys);
                        coordinator.advance(VALIDITY); // the session's validity passes during the first request
                        return null;
                    }
                    try {
                        return method.invoke(counted, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        ReplicaTarget t = new ReplicaTarget(losing, ReplicaLayout.LTX_DIRS, "db1");
        Claim claim = coordinator.claim(List.of(new Ownable(t.describe(), "/data/db1.db"))).get(0);
        ReplicaTarget fenced = t.withFence(Fence.of((Claim.Owned) claim, coordinator.instanceId()));
        List<String> keys = new ArrayList<>();
        for (int i = 1; i <= 2 * ReplicaTarget.DELETE_CHUNK + 500; i++) {
            keys.add(fenced.key(0, i, i));
        }

        ReplicaException e = assertThrows(ReplicaException.class, () -> fenced.delete(keys));

        assertEquals(ReplicaFailure.FENCED, e.failure());
        assertEquals(keys.subList(0, ReplicaTarget.DELETE_CHUNK), deleted, "only the first request went out");
        assertTrue(e.getMessage().contains("1000 of 2500 objects deleted"), e.getMessage());
    }

    @Test
    void sessionEndedByTheService_fencesAtOnce_evenWithinTheValidity() throws Exception {
        ReplicaTarget t = owned("db1");
        coordinator.expire();
        assertEquals(ReplicaFailure.FENCED, assertThrows(ReplicaException.class,
                () -> t.put(t.key(0, 1, 1), ObjectBody.of(BYTES), PutOptions.DEFAULT)).failure());
        assertEquals(0, requests.get());
    }

    @Test
    void sessionThatChangedItsId_isFenced_evenWhileValid() throws Exception {
        java.util.concurrent.atomic.AtomicLong lease = new java.util.concurrent.atomic.AtomicLong(7);
        Session reused = new ReusedSession(lease, coordinator.session());
        ReplicaTarget base = new ReplicaTarget(counted, ReplicaLayout.LTX_DIRS, "db1");
        ReplicaTarget t = base.withFence(Fence.of(new Claim.Owned(base.describe(), 5, reused), "host-a"));
        t.put(t.key(0, 1, 1), ObjectBody.of(BYTES), PutOptions.DEFAULT);
        lease.set(8);
        assertEquals(ReplicaFailure.FENCED, assertThrows(ReplicaException.class,
                () -> t.delete(List.of(t.key(0, 1, 1)))).failure());
        assertEquals(1, requests.get());
    }

    @Test
    void keepAliveAnswered_opensTheFenceAgain() throws Exception {
        ReplicaTarget t = owned("db1");
        coordinator.advance(VALIDITY);
        coordinator.keepAlive();
        t.put(t.key(0, 1, 1), ObjectBody.of(BYTES), PutOptions.DEFAULT);
        assertEquals(1, requests.get());
    }

    @Test
    void tokenZero_passesTheCallersOptionsUnchanged() throws Exception {
        List<PutOptions> seen = new ArrayList<>();
        ReplicaTarget t = new ReplicaTarget(recording(seen), ReplicaLayout.LTX_DIRS, "db1");
        PutOptions options = PutOptions.DEFAULT.withTimestamp(T0);

        t.put(t.key(0, 1, 1), ObjectBody.of(BYTES), options);

        assertSame(Fence.NONE, t.fence());
        assertSame(options, seen.get(0), "single-node mode adds no metadata and no guard");
        ObjectInfo stored = store.stat(t.key(0, 1, 1)).orElseThrow();
        assertEquals(Map.of(PutOptions.TIMESTAMP, "2026-12-05T15:00:00Z"), stored.metadata());
        try (InputStream in = store.get(t.key(0, 1, 1))) {
            assertEquals(new String(BYTES, java.nio.charset.StandardCharsets.UTF_8),
                    new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void token_isWrittenAsMetadata_besideTheTimestamp() throws Exception {
        ReplicaTarget t = owned("db1");
        t.put(t.key(0, 1, 1), ObjectBody.of(BYTES), PutOptions.DEFAULT.withTimestamp(T0));

        Map<String, String> metadata = store.stat(t.key(0, 1, 1)).orElseThrow().metadata();
        assertEquals(Map.of(PutOptions.TIMESTAMP, "2026-12-05T15:00:00Z", PutOptions.OWNER_INSTANCE, "host-a",
                PutOptions.OWNER_TOKEN, Long.toString(t.fence().token())), metadata);
        assertTrue(t.fence().token() > 0);
    }

    @Test
    void guard_tellsTheBackendHowLongTheSessionStaysValid() throws Exception {
        List<PutOptions> seen = new ArrayList<>();
        ReplicaTarget t = new ReplicaTarget(recording(seen), ReplicaLayout.LTX_DIRS, "db1");
        Claim claim = coordinator.claim(List.of(new Ownable(t.describe(), "/data/db1.db"))).get(0);
        ReplicaTarget fenced = t.withFence(Fence.of((Claim.Owned) claim, coordinator.instanceId()));
        fenced.put(t.key(0, 1, 1), ObjectBody.of(BYTES), PutOptions.DEFAULT.withTimestamp(T0));
        t.put(t.key(0, 2, 2), ObjectBody.of(BYTES), PutOptions.DEFAULT.withTimestamp(T0));
        PutOptions.Guard guard = seen.get(0).guard();

        assertEquals(VALIDITY.toNanos(), guard.remainingNanos(), "a fresh session: its whole validity");
        coordinator.advance(Duration.ofSeconds(3));
        assertEquals(VALIDITY.minusSeconds(3).toNanos(), guard.remainingNanos());
        coordinator.advance(VALIDITY);
        assertEquals(0, guard.remainingNanos(), "not valid: no time left");
        assertEquals(Long.MAX_VALUE, seen.get(1).guard().remainingNanos(), "single node: no bound");
    }

    @Test
    void sessionLostDuringTheUpload_theGuardStopsTheCommit() throws Exception {
        ReplicaTarget t = owned("db1");
        ObjectBody slow = new ObjectBody() { // the process pauses while the body is read
            @Override
            public long length() {
                return BYTES.length;
            }

            @Override
            public InputStream open() {
                coordinator.advance(VALIDITY);
                return new ByteArrayInputStream(BYTES);
            }
        };

        ReplicaException e = assertThrows(ReplicaException.class,
                () -> t.put(t.key(0, 1, 1), slow, PutOptions.DEFAULT.withTimestamp(T0)));

        assertEquals(ReplicaFailure.FENCED, e.failure());
        assertTrue(store.stat(t.key(0, 1, 1)).isEmpty(), "the object never appeared");
    }

    /** The store, recording the options of every put. */
    private ReplicaClient recording(List<PutOptions> seen) {
        return (ReplicaClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ReplicaClient.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("put")) {
                        seen.add((PutOptions) args[2]);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Breaks the {@link Session} contract: the id of a new lease under the same object, validity of another. */
    private record ReusedSession(java.util.concurrent.atomic.AtomicLong lease, Session validity) implements Session {
        @Override
        public long id() {
            return lease.get();
        }

        @Override
        public long validUntilNanos() {
            return validity.validUntilNanos();
        }

        @Override
        public boolean valid() {
            return validity.valid();
        }
    }
}
