package io.litefleet.core.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.testkit.FaultyReplicaClient;
import io.litefleet.testkit.InMemoryReplicaClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaListing;
import io.litefleet.core.replica.RetryPolicy;

/** Objects here hold only the 100-byte header: the resolver must never read more. */
class TimestampResolverTest {
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final RetryPolicy NO_PAUSE = new RetryPolicy(3, Duration.ZERO, Duration.ZERO, d -> { });

    private static Instant stamp(long txid) {
        return T0.plusMillis(1500 * txid);
    }

    /** {@code n} level-0 headers stamped {@link #stamp}; uploaded at {@code uploadedAt}, with or without metadata. */
    private static ReplicaTarget store(int n, Clock uploadedAt, boolean metadata) throws Exception {
        InMemoryReplicaClient c = InMemoryReplicaClient.create(uploadedAt);
        ReplicaTarget t = new ReplicaTarget(c, ReplicaLayout.LTX_DIRS, "db");
        for (long txid = 1; txid <= n; txid++) {
            LtxHeader h = LtxHeader.builder().noChecksum(true).commit(1).txids(txid, txid)
                    .timestamp(stamp(txid).toEpochMilli()).build();
            PutOptions o = metadata ? PutOptions.DEFAULT.withTimestamp(stamp(txid)) : PutOptions.DEFAULT;
            c.put(t.key(0, txid, txid), ObjectBody.of(h.toBytes()), o);
        }
        return t;
    }

    private static TimestampResolver.Resolution resolve(ReplicaTarget t, Instant target, int parallelism)
            throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            return TimestampResolver.resolve(t, ReplicaListing.list(t, NO_PAUSE), target, Duration.ofMinutes(1),
                    parallelism, NO_PAUSE, pool);
        }
    }

    @Test
    void resolve_uploadTimesOnly_findsTheExactCutWithLogarithmicHeaderReads() throws Exception {
        long seed = SourceHistory.seed("resolve_uploadTimesOnly");
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 500;
        ReplicaTarget t = store(n, Clock.fixed(T0.plus(Duration.ofDays(2)), ZoneOffset.UTC), false);
        for (int round = 0; round < 20; round++) {
            long want = rnd.nextLong(0, n + 1);
            Instant target = want == 0 ? stamp(1).minusMillis(1) : stamp(want).plusMillis(rnd.nextLong(0, 1500));
            TimestampResolver.Resolution r = resolve(t, target, 8);
            assertEquals(want, r.txid(), "target " + target);
            // 500 candidates, 8 probes a round: 9^3 > 500, so at most 3 rounds.
            assertTrue(r.headersRead() <= 24, "read " + r.headersRead() + " headers");
        }
    }

    @Test
    void resolve_exactListingTimesWellBeforeTheTarget_readsOnlyTheUndecidedFiles(@TempDir Path dir)
            throws Exception {
        try (ReplicaClient c = new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", dir.toString())))) {
            ReplicaTarget t = new ReplicaTarget(c, ReplicaLayout.LTX_DIRS, "db");
            copy(store(200, Clock.systemUTC(), true), t);
            // Files listed before target - 1 minute are decided by the listing; 40 (60 s / 1.5 s) are undecided.
            TimestampResolver.Resolution r = resolve(t, stamp(150), 1);
            assertEquals(150, r.txid());
            assertTrue(r.headersRead() <= 7, "binary search over ~41 files, read " + r.headersRead());
        }
    }

    private static void copy(ReplicaTarget from, ReplicaTarget to) throws Exception {
        for (LtxFileRef f : ReplicaListing.list(from, NO_PAUSE)) {
            byte[] b;
            try (var in = from.client().get(from.key(0, f.minTxid(), f.maxTxid()))) {
                b = in.readAllBytes();
            }
            // The file backend keeps the timestamp as the file time, which its listing reports.
            to.client().put(to.key(0, f.minTxid(), f.maxTxid()), ObjectBody.of(b),
                    PutOptions.DEFAULT.withTimestamp(stamp(f.maxTxid())));
        }
    }

    @Test
    void resolve_retriesTransientHeaderReads() throws Exception {
        ReplicaTarget base = store(50, Clock.fixed(T0.plus(Duration.ofDays(2)), ZoneOffset.UTC), false);
        FaultyReplicaClient faulty = FaultyReplicaClient.wrap(base.client(), FaultyReplicaClient.Fault.of(
                FaultyReplicaClient.Operation.GET, 2, io.litefleet.api.replica.ReplicaFailure.THROTTLED));
        ReplicaTarget t = new ReplicaTarget(faulty, ReplicaLayout.LTX_DIRS, "db");
        assertEquals(20, resolve(t, stamp(20), 4).txid());
        assertEquals(1, faulty.injected());
    }

    @Test
    void resolve_noFiles_isZero() throws Exception {
        ReplicaTarget t = store(0, Clock.systemUTC(), false);
        assertEquals(new TimestampResolver.Resolution(0, 0), resolve(t, T0, 8));
        assertEquals(List.of(), ReplicaListing.list(t, NO_PAUSE));
    }
}
