package io.litefleet.core.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.core.cluster.ClusterView;
import io.litefleet.core.cluster.SingleNodeCoordinator;
import io.litefleet.core.replica.StaleFiles;
import io.litefleet.testkit.InMemoryCoordinator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The {@code litefleet_cluster_*} families: read live from the coordinator and the ownership counts, closed labels. */
class ClusterMetricsTest {
    private final InMemoryCoordinator coordinator = InMemoryCoordinator.single("host-a", Duration.ofSeconds(8));
    private final AtomicInteger owned = new AtomicInteger();
    private final AtomicInteger foreign = new AtomicInteger();
    private final ReplicationMetrics metrics = new ReplicationMetrics(List.of(), Optional.empty(), List::of,
            Optional.of(new ClusterView(coordinator, owned::get, foreign::get)));

    private double value(String series) {
        return ScrapeText.value(metrics.scrape(), series).orElseThrow(() -> new AssertionError("no " + series));
    }

    @Test
    void fenced_isOneOnlyWhileTheSessionIsNotValid_andTheKeepAliveAgeGrows() throws Exception {
        assertEquals(0, value("litefleet_cluster_fenced"));
        coordinator.advance(Duration.ofSeconds(3));
        assertEquals(3, value("litefleet_cluster_keepalive_age_seconds"));
        coordinator.advance(Duration.ofSeconds(6)); // 9 s without a keep-alive: past the 8 s validity
        assertEquals(1, value("litefleet_cluster_fenced"));
        assertEquals(9, value("litefleet_cluster_keepalive_age_seconds"));
        coordinator.keepAlive();
        assertEquals(0, value("litefleet_cluster_fenced"));
        assertEquals(0, value("litefleet_cluster_keepalive_age_seconds"));
    }

    @Test
    void ownedAndForeignDatabases_areTheLiveCounts() {
        owned.set(120);
        foreign.set(7);
        assertEquals(120, value("litefleet_cluster_owned_databases"));
        assertEquals(7, value("litefleet_cluster_foreign_databases"));
        owned.set(0);
        assertEquals(0, value("litefleet_cluster_owned_databases"));
    }

    @Test
    void requests_areCountedByOperationAndOutcome_everyPairPresentFromTheStart() throws Exception {
        for (String op : List.of("grant", "keepalive", "claim", "release", "watch", "range")) {
            for (String outcome : List.of("ok", "error")) {
                value("litefleet_cluster_requests_total{operation=\"" + op + "\",outcome=\"" + outcome + "\"}");
            }
        }
        coordinator.claim(List.of(new Ownable("file:///r/a", "/d/a.db"), new Ownable("file:///r/b", "/d/b.db")));
        coordinator.keepAlive();
        coordinator.service().available(false);
        assertThrows(CoordinationException.class, () -> coordinator.owners("", 10));
        assertEquals(1, value("litefleet_cluster_requests_total{operation=\"claim\",outcome=\"ok\"}"),
                "one request for the batch of two");
        assertEquals(1, value("litefleet_cluster_requests_total{operation=\"keepalive\",outcome=\"ok\"}"));
        assertEquals(1, value("litefleet_cluster_requests_total{operation=\"range\",outcome=\"error\"}"));
        assertEquals(0, value("litefleet_cluster_requests_total{operation=\"range\",outcome=\"ok\"}"));
    }

    @Test
    void staleFiles_areCountedByWhere() {
        double before = value("litefleet_cluster_stale_files_total{where=\"compaction\"}");
        double upload = value("litefleet_cluster_stale_files_total{where=\"upload\"}");
        StaleFiles.count(StaleFiles.Where.COMPACTION);
        assertEquals(before + 1, value("litefleet_cluster_stale_files_total{where=\"compaction\"}"));
        assertEquals(upload, value("litefleet_cluster_stale_files_total{where=\"upload\"}"));
        value("litefleet_cluster_stale_files_total{where=\"restore\"}");
    }

    @Test
    void withoutAClusterSection_noClusterFamilyIsScraped() {
        String text = new ReplicationMetrics(List.of(), Optional.empty(), List::of).scrape();
        assertFalse(text.contains("litefleet_cluster_"), text);
    }

    @Test
    void singleNodeCoordinator_neverFenced_sendsNoRequest() {
        var stats = SingleNodeCoordinator.of("local").stats();
        assertFalse(stats.fenced());
        assertEquals(0, java.util.Arrays.stream(stats.ok()).sum() + java.util.Arrays.stream(stats.error()).sum());
    }
}
