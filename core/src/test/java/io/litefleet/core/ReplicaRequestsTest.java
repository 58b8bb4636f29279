package io.litefleet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaOperation;
import io.litefleet.core.ReplicaRequests.Outcome;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaRequestsTest {
    @Test
    void summary_isOneLine_operationsInOrder_outcomesOfThoseRequested_binaryUnits() {
        ReplicaRequests r = new ReplicaRequests("s3://bucket", Map.of(
                ReplicaOperation.PUT, Map.of(Outcome.OK, 1203L),
                ReplicaOperation.LIST, Map.of(Outcome.OK, 12L),
                ReplicaOperation.DELETE, Map.of(Outcome.OK, 3L, Outcome.THROTTLED, 1L)), 19_084_083L, 0);
        assertEquals("requests to s3://bucket: put 1203 (ok 1203), get 0, list 12 (ok 12), delete 4 (ok 3, "
                + "throttled 1), head 0; 18.2 MiB up, 0 B down", r.summary());
        assertEquals(1219, r.total());
        assertEquals(1, r.count(ReplicaOperation.DELETE, Outcome.THROTTLED));
        assertEquals(0, r.count(ReplicaOperation.HEAD, Outcome.NOT_FOUND), "left out counts zero");
    }

    @Test
    void labels_areTheClosedSetsOfMetrics() {
        assertEquals("head", ReplicaOperation.HEAD.label());
        assertEquals("precondition-failed", Outcome.PRECONDITION_FAILED.label());
        for (ReplicaFailure f : ReplicaFailure.values()) {
            assertEquals(f.name(), Outcome.of(f).name(), "one outcome per failure kind");
        }
        assertEquals(Outcome.OK, Outcome.of(null));
        assertEquals(ReplicaFailure.values().length + 1, Outcome.values().length);
    }

    @Test
    void bytes_areShownInBinaryUnitsWithOneDecimal() {
        assertEquals("0 B", ReplicaRequests.bytes(0));
        assertEquals("1023 B", ReplicaRequests.bytes(1023));
        assertEquals("1.0 KiB", ReplicaRequests.bytes(1024));
        assertEquals("1.5 GiB", ReplicaRequests.bytes(3L << 29));
        assertEquals("8.0 EiB", ReplicaRequests.bytes(Long.MAX_VALUE));
    }

    @Test
    void negativeCounts_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ReplicaRequests("file:///b",
                Map.of(ReplicaOperation.GET, Map.of(Outcome.OK, -1L)), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ReplicaRequests("file:///b", Map.of(), -1, 0));
    }
}
