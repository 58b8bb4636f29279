package io.litefleet.core.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaOperation;
import io.litefleet.testkit.FaultyReplicaClient;
import io.litefleet.testkit.FaultyReplicaClient.Fault;
import io.litefleet.testkit.InMemoryReplicaClient;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CountingClientTest {
    private final InMemoryReplicaClient store = InMemoryReplicaClient.create(Clock.systemUTC());

    @Test
    void everyCall_isCountedByOperationAndOutcome_withTheBytesMoved() throws Exception {
        RequestCounters counters = new RequestCounters("memory://test");
        ReplicaClient client = CountingClient.owning(store, counters);

        client.put("db/0000/a.ltx", ObjectBody.of(new byte[1000]), PutOptions.createOnly());
        ReplicaException twice = assertThrows(ReplicaException.class,
                () -> client.put("db/0000/a.ltx", ObjectBody.of(new byte[7]), PutOptions.createOnly()));
        assertEquals(ReplicaFailure.PRECONDITION_FAILED, twice.failure());
        try (InputStream in = client.get("db/0000/a.ltx")) {
            in.readNBytes(600);
        }
        try (InputStream in = client.get("db/0000/a.ltx", 100, 50)) {
            in.readAllBytes();
        }
        assertThrows(ReplicaException.class, () -> client.get("db/0000/missing.ltx"));
        client.stat("db/0000/a.ltx");
        client.stat("db/0000/missing.ltx");
        client.list("db/");
        client.delete(List.of("db/0000/a.ltx"));

        assertEquals(1, counters.count(ReplicaOperation.PUT, null));
        assertEquals(1, counters.count(ReplicaOperation.PUT, ReplicaFailure.PRECONDITION_FAILED));
        assertEquals(2, counters.count(ReplicaOperation.PUT));
        assertEquals(2, counters.count(ReplicaOperation.GET, null));
        assertEquals(1, counters.count(ReplicaOperation.GET, ReplicaFailure.NOT_FOUND));
        assertEquals(1, counters.count(ReplicaOperation.HEAD, null));
        assertEquals(1, counters.count(ReplicaOperation.HEAD, ReplicaFailure.NOT_FOUND), "a HEAD of nothing");
        assertEquals(1, counters.count(ReplicaOperation.LIST, null));
        assertEquals(1, counters.count(ReplicaOperation.DELETE, null));
        assertEquals(1000, counters.bytesUp(), "only the put that stored something");
        assertEquals(650, counters.bytesDown(), "what was read, not the objects' sizes");
    }

    @Test
    void failuresOfTheStore_areCountedByKind() throws Exception {
        RequestCounters counters = new RequestCounters("memory://test");
        ReplicaClient client = CountingClient.owning(FaultyReplicaClient.wrap(store,
                Fault.of(FaultyReplicaClient.Operation.LIST, 1, ReplicaFailure.THROTTLED),
                Fault.of(FaultyReplicaClient.Operation.LIST, 2, ReplicaFailure.UNAVAILABLE),
                Fault.of(FaultyReplicaClient.Operation.DELETE, 1, ReplicaFailure.AUTH),
                Fault.of(FaultyReplicaClient.Operation.STAT, 1, ReplicaFailure.IO)), counters);
        for (int i = 0; i < 3; i++) {
            try {
                client.list("db/");
            } catch (ReplicaException expected) {
                // counted
            }
        }
        assertThrows(ReplicaException.class, () -> client.delete(List.of("db/x.ltx")));
        assertThrows(ReplicaException.class, () -> client.stat("db/x.ltx"));
        assertThrows(ReplicaException.class, () -> client.get("../escape"), "an invalid key is refused");

        assertEquals(1, counters.count(ReplicaOperation.LIST, ReplicaFailure.THROTTLED));
        assertEquals(1, counters.count(ReplicaOperation.LIST, ReplicaFailure.UNAVAILABLE));
        assertEquals(1, counters.count(ReplicaOperation.LIST, null));
        assertEquals(1, counters.count(ReplicaOperation.DELETE, ReplicaFailure.AUTH));
        assertEquals(1, counters.count(ReplicaOperation.HEAD, ReplicaFailure.IO));
        assertEquals(1, counters.count(ReplicaOperation.GET, ReplicaFailure.INVALID));
        assertEquals(0, counters.bytesUp() + counters.bytesDown());
    }

    @Test
    void owningClosesTheDelegate_borrowingLeavesItToItsOwner() {
        AtomicBoolean closed = new AtomicBoolean();
        ReplicaClient delegate = (ReplicaClient) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ReplicaClient.class}, (proxy, method, args) -> {
                    closed.compareAndSet(false, method.getName().equals("close"));
                    return null;
                });
        CountingClient.borrowing(delegate, (op, failure) -> { }).close();
        assertEquals(false, closed.get(), "a borrowed client belongs to its owner");
        CountingClient.owning(delegate, (op, failure) -> { }).close();
        assertEquals(true, closed.get());
    }
}
