package io.litefleet.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.testkit.FaultyReplicaClient.Fault;
import io.litefleet.testkit.FaultyReplicaClient.Operation;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultyReplicaClientTest {
    private final InMemoryReplicaClient store = InMemoryReplicaClient.create(Clock.systemUTC());

    @Test
    public void nthPut_failsBeforeReachingTheStore_othersPass() throws Exception {
        FaultyReplicaClient faulty = FaultyReplicaClient.wrap(store, Fault.of(Operation.PUT, 2, ReplicaFailure.THROTTLED));
        faulty.put("a", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
        ReplicaException e = assertThrows(ReplicaException.class,
                () -> faulty.put("b", ObjectBody.of(new byte[] {2}), PutOptions.DEFAULT));
        assertEquals(ReplicaFailure.THROTTLED, e.failure());
        assertTrue(e.isRetryable());
        assertTrue(store.stat("b").isEmpty(), "the failed put reached the store");
        faulty.put("c", ObjectBody.of(new byte[] {3}), PutOptions.DEFAULT);
        assertEquals(List.of("a", "c"), store.list("").stream().map(i -> i.key()).toList());
        assertEquals(3, faulty.calls(Operation.PUT));
        assertEquals(1, faulty.injected());
    }

    @Test
    public void afterDelegating_storeChangesButTheCallerSeesTheFailure() throws Exception {
        FaultyReplicaClient faulty = FaultyReplicaClient.wrap(store,
                Fault.of(Operation.PUT, 1, ReplicaFailure.UNAVAILABLE).afterDelegating());
        assertEquals(ReplicaFailure.UNAVAILABLE, assertThrows(ReplicaException.class,
                () -> faulty.put("a", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT)).failure());
        assertTrue(store.stat("a").isPresent(), "a lost reply still writes");
    }

    @Test
    public void anyOperation_countsAcrossOperations() throws Exception {
        FaultyReplicaClient faulty = FaultyReplicaClient.wrap(store, Fault.of(Operation.ANY, 3, ReplicaFailure.IO));
        faulty.put("a", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
        faulty.stat("a");
        assertEquals(ReplicaFailure.IO, assertThrows(ReplicaException.class, () -> faulty.get("a")).failure());
        faulty.get("a").close();
        faulty.list("");
        faulty.delete(List.of("a"));
        assertEquals(6, faulty.calls(Operation.ANY));
        assertEquals(2, faulty.calls(Operation.GET));
        assertEquals(1, faulty.injected());
    }

    @Test
    public void realFailures_passThroughUnchanged() {
        FaultyReplicaClient faulty = FaultyReplicaClient.wrap(store);
        assertEquals(ReplicaFailure.NOT_FOUND, assertThrows(ReplicaException.class, () -> faulty.get("x")).failure());
        assertEquals(0, faulty.injected());
    }

    @Test
    public void fault_nthBelowOne_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> Fault.of(Operation.PUT, 0, ReplicaFailure.IO));
    }
}
