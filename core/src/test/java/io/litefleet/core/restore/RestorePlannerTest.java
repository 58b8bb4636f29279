package io.litefleet.core.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import io.litefleet.core.replica.LtxFileRef;

class RestorePlannerTest {
    private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");

    private static LtxFileRef f(int level, long min, long max) {
        return new LtxFileRef(level, min, max, T0.plusSeconds(max), 100);
    }

    @Test
    void plan_prefersNewestSnapshotThenHighestReach() {
        List<LtxFileRef> files = List.of(f(0, 1, 1), f(0, 2, 2), f(0, 3, 3), f(0, 4, 4), f(0, 5, 5),
                f(1, 1, 3), f(1, 4, 5), f(9, 1, 3));
        RestorePlan plan = RestorePlanner.plan(files, RestoreTarget.latest()).orElseThrow();
        assertEquals(List.of(f(9, 1, 3), f(1, 4, 5)), plan.files());
        assertEquals(5, plan.txid());
    }

    @Test
    void plan_atTxid_stopsExactlyThere() {
        List<LtxFileRef> files = List.of(f(0, 1, 1), f(0, 2, 2), f(0, 3, 3), f(1, 1, 3));
        RestorePlan plan = RestorePlanner.plan(files, new RestoreTarget.AtTxid(2)).orElseThrow();
        assertEquals(List.of(f(0, 1, 1), f(0, 2, 2)), plan.files());
        assertEquals(2, plan.txid());
    }

    @Test
    void plan_atTime_usesOnlyFilesCreatedByThen() {
        List<LtxFileRef> files = List.of(f(0, 1, 1), f(0, 2, 2), f(0, 3, 3));
        RestorePlan plan = RestorePlanner.plan(files, new RestoreTarget.AtTime(T0.plusSeconds(2))).orElseThrow();
        assertEquals(2, plan.txid());
    }

    @Test
    void plan_emptyReplicaOrTargetBeforeFirstSnapshot_isEmpty() {
        assertEquals(Optional.empty(), RestorePlanner.plan(List.of(), RestoreTarget.latest()));
        assertEquals(Optional.empty(), RestorePlanner.plan(List.of(f(9, 1, 10), f(0, 11, 11)),
                new RestoreTarget.AtTxid(5)));
    }

    @Test
    void plan_latestWithGap_refusesNamingTheGap() {
        List<LtxFileRef> files = List.of(f(0, 1, 1), f(0, 2, 2), f(0, 4, 4));
        RestoreGapException e = assertThrows(RestoreGapException.class,
                () -> RestorePlanner.plan(files, RestoreTarget.latest()));
        assertEquals(2, e.reached());
        assertTrue(e.getMessage().contains("L0/0000000000000004-0000000000000004"), e.getMessage());
        assertEquals(2, RestorePlanner.plan(files, new RestoreTarget.AtTxid(3)).orElseThrow().txid());
    }

    @Test
    void plan_randomReplicas_isValidMinimalAndReachesTheTarget() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int n = 1 + rnd.nextInt(40);
            List<LtxFileRef> files = randomReplica(rnd, n);
            long target = 1 + rnd.nextInt(n);
            Optional<RestorePlan> plan = RestorePlanner.plan(files, new RestoreTarget.AtTxid(target));
            int best = fewestFiles(files, target);
            String ctx = "seed=" + seed + " round=" + round + " files=" + files + " target=" + target;
            if (best < 0) {
                assertTrue(plan.isEmpty() || plan.get().txid() < target, ctx);
                continue;
            }
            // Every TXID has an L0 file in these replicas, so the exact target is always reachable.
            assertEquals(target, plan.orElseThrow().txid(), ctx);
            assertEquals(best, plan.get().files().size(), ctx);
        }
    }

    /** Every TXID gets an L0 file; random L1/L2 compactions and L9 snapshots on top. */
    private static List<LtxFileRef> randomReplica(Random rnd, int n) {
        List<LtxFileRef> files = new ArrayList<>();
        for (long t = 1; t <= n; t++) {
            files.add(f(0, t, t));
        }
        for (int level = 1; level <= 2; level++) {
            long start = 1;
            while (start <= n) {
                long end = Math.min(n, start + rnd.nextInt(6));
                if (rnd.nextBoolean()) {
                    files.add(f(level, start, end));
                }
                start = end + 1;
            }
        }
        for (int i = 0; i < 2; i++) {
            if (rnd.nextBoolean()) {
                files.add(f(9, 1, 1 + rnd.nextInt(n)));
            }
        }
        return files;
    }

    /** Breadth-first search over TXID states: the true minimum number of files, or -1. */
    private static int fewestFiles(List<LtxFileRef> files, long target) {
        Map<Long, Integer> dist = new HashMap<>();
        ArrayDeque<Long> queue = new ArrayDeque<>();
        for (LtxFileRef f : files) {
            if (f.isSnapshot() && f.maxTxid() <= target && dist.putIfAbsent(f.maxTxid(), 1) == null) {
                queue.add(f.maxTxid());
            }
        }
        while (!queue.isEmpty()) {
            long cur = queue.poll();
            if (cur == target) {
                return dist.get(cur);
            }
            for (LtxFileRef f : files) {
                if (f.minTxid() <= cur + 1 && f.maxTxid() > cur && f.maxTxid() <= target
                        && dist.putIfAbsent(f.maxTxid(), dist.get(cur) + 1) == null) {
                    queue.add(f.maxTxid());
                }
            }
        }
        return -1;
    }
}
