package io.litefleet.core.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.Ownable;
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
    void sessionEndedByTheService_fencesAtOnce_evenWithinTheValidity() throws Exception {
        ReplicaTarget t = owned("db1");
        coordinator.expire();
        assertEquals(ReplicaFailure.FENCED, assertThrows(ReplicaException.class,
                () -> t.put(t.key(0, 1, 1), ObjectBody.of(BYTES), PutOptions.DEFAULT)).failure());
        assertEquals(0, requests.get());
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
        assertEquals(Map.of(PutOptions.TIMESTAMP, "2026-12-05T15:00:00Z", Fence.INSTANCE_KEY, "host-a",
                Fence.TOKEN_KEY, Long.toString(t.fence().token())), metadata);
        assertTrue(t.fence().token() > 0);
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
}
