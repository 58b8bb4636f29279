package io.litefleet.core.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.engine.DbStats;
import io.litefleet.core.replica.RequestCounters;
import io.litefleet.testkit.Await;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One scrape's content from live counters, and what a closed replication's metrics leave behind: nothing. */
class ReplicationMetricsTest {
    @Test
    void scrape_readsLiveCounters_underUpstreamNames_withTheJvmsMetrics() {
        DbStats stats = new DbStats();
        RequestCounters s3 = new RequestCounters("s3://bucket", "s3");
        ReplicationMetrics m = new ReplicationMetrics(List.of(new ReplicationMetrics.Listed(Path.of("/data/a.db"),
                Map.of(), stats)), Optional.empty(), () -> List.of(s3));
        stats.synced(2_000_000, 100, false);
        stats.failed(DbStats.Tier.HOT, new java.io.IOException("disk"));
        s3.bytesUp(4096);
        ScrapeText t = ScrapeText.of(m.scrape());
        assertEquals(1, t.value("litestream_sync_count{db=\"/data/a.db\"}").orElseThrow());
        assertEquals("untyped", t.types().get("litestream_sync_count"));
        assertEquals("counter", t.types().get("litestream_replica_operation_total"));
        assertEquals(4096, t.value("litefleet_replica_bytes_total{destination=\"s3://bucket\",direction=\"up\"}")
                .orElseThrow());
        assertEquals(1, t.value("litefleet_sync_errors_total{tier=\"hot\",kind=\"local-io\"}").orElseThrow());
        assertEquals(0, t.value("litefleet_replication_lag_seconds_count{tier=\"hot\"}").orElseThrow(),
                "nothing shipped with a lag yet");
        assertTrue(t.types().containsKey("jvm_threads_current") && t.types().containsKey("process_open_fds"),
                t.types().toString());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", ReplicationMetrics.CONTENT_TYPE);
    }

    @Test
    void aDroppedReplicationsMetrics_areCollected_notHeldByTheJvmMetrics() throws Exception {
        WeakReference<DbStats> stats = dropped();
        Await.until(Duration.ofSeconds(30), "the dropped metrics' counters are collected", () -> {
            System.gc();
            return stats.get() == null;
        });
    }

    private static WeakReference<DbStats> dropped() {
        DbStats stats = new DbStats();
        ReplicationMetrics m = new ReplicationMetrics(List.of(new ReplicationMetrics.Listed(Path.of("/data/b.db"),
                Map.of(), stats)), Optional.empty(), List::of);
        assertTrue(m.scrape().contains("/data/b.db"));
        return new WeakReference<>(stats);
    }
}
