package io.litefleet.core.restore;

import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.RetryPolicy;

/**
 * Turns a point in time into the last TXID committed at or before it, reading LTX header timestamps only where the
 * listing cannot decide.
 *
 * <p>The rule. A listed time is either Litestream's timestamp (exact) or the store's upload time, which is never
 * earlier than the header timestamp except for clock skew between the writer and the store. So a file listed at or
 * before {@code target - skew} is certainly within the target and costs nothing. For the files after that, the
 * header timestamp (the 100-byte header, one ranged GET) decides; since Litestream stamps level-0 files at sync time
 * and compacted files with their newest input's stamp, header timestamps do not decrease as the last TXID grows. The
 * cut is therefore found by a parallel search over the distinct last TXIDs: each round reads up to
 * {@code parallelism} headers at evenly spaced candidates, so at most {@code parallelism * ceil(log_{p+1}(n))}
 * headers are read for {@code n} undecided files. A TXID's candidate is its file listed earliest.
 *
 * <p>The header's millisecond timestamp is compared with {@code target} inclusively: a transaction stamped exactly
 * at the target is included.
 */
final class TimestampResolver {
    /** The clock skew allowed between a writer and a store that stamps upload times. */
    static final Duration DEFAULT_SKEW = Duration.ofMinutes(1);

    /**
     * The outcome.
     *
     * @param txid        the last TXID at or before the target, or 0 when none is
     * @param headersRead how many headers were fetched
     */
    record Resolution(long txid, int headersRead) {
    }

    private final ReplicaTarget source;
    private final RetryPolicy retry;
    private final ExecutorService pool;
    private final int parallelism;
    private int headersRead;

    private TimestampResolver(ReplicaTarget source, RetryPolicy retry, ExecutorService pool, int parallelism) {
        this.source = source;
        this.retry = retry;
        this.pool = pool;
        this.parallelism = parallelism;
    }

    /** Resolves {@code target} against {@code files} (see the class comment). */
    static Resolution resolve(ReplicaTarget source, List<LtxFileRef> files, Instant target, Duration skew,
            int parallelism, RetryPolicy retry, ExecutorService pool) throws IOException {
        return new TimestampResolver(source, retry, pool, parallelism).resolve(files, target, skew);
    }

    private Resolution resolve(List<LtxFileRef> files, Instant target, Duration skew) throws IOException {
        Instant certain = target.minus(skew);
        long low = files.stream().filter(f -> !f.createdAt().isAfter(certain))
                .mapToLong(LtxFileRef::maxTxid).max().orElse(0);
        List<LtxFileRef> candidates = candidates(files, low);
        // Invariant: candidates[< lo] are within the target, candidates[>= hi] are after it.
        int lo = 0;
        int hi = candidates.size();
        while (lo < hi) {
            List<Integer> probes = probes(lo, hi);
            List<Boolean> after = areAfter(probes.stream().map(candidates::get).toList(), target);
            int newLo = lo;
            int newHi = hi;
            for (int i = 0; i < probes.size(); i++) {
                if (after.get(i)) {
                    newHi = Math.min(newHi, probes.get(i));
                } else {
                    newLo = Math.max(newLo, probes.get(i) + 1);
                }
            }
            lo = newLo;
            hi = Math.max(newLo, newHi); // a non-monotonic stamp must not stall the search
        }
        long txid = lo == 0 ? low : candidates.get(lo - 1).maxTxid();
        return new Resolution(txid, headersRead);
    }

    /** One file per distinct last TXID above {@code low}, the one listed earliest, in TXID order. */
    private static List<LtxFileRef> candidates(List<LtxFileRef> files, long low) {
        Map<Long, LtxFileRef> byMax = new TreeMap<>();
        Comparator<LtxFileRef> earliest = Comparator.comparing(LtxFileRef::createdAt)
                .thenComparingInt(LtxFileRef::level);
        for (LtxFileRef f : files) {
            if (f.maxTxid() > low) {
                byMax.merge(f.maxTxid(), f, (a, b) -> earliest.compare(a, b) <= 0 ? a : b);
            }
        }
        return List.copyOf(byMax.values());
    }

    /** Up to {@code parallelism} indexes spread evenly over {@code [lo, hi)}. */
    private List<Integer> probes(int lo, int hi) {
        int n = hi - lo;
        int k = Math.min(parallelism, n);
        List<Integer> idx = new ArrayList<>(k);
        for (int i = 1; i <= k; i++) {
            int p = lo + (int) ((long) n * i / (k + 1));
            if (idx.isEmpty() || idx.get(idx.size() - 1) != p) {
                idx.add(p);
            }
        }
        return idx;
    }

    private List<Boolean> areAfter(List<LtxFileRef> probes, Instant target) throws IOException {
        List<Future<Long>> stamps = new ArrayList<>();
        for (LtxFileRef f : probes) {
            stamps.add(pool.submit(() -> retry.call(() -> headerTimestamp(f))));
        }
        List<Boolean> after = new ArrayList<>();
        for (Future<Long> s : stamps) {
            after.add(Instant.ofEpochMilli(Restorer.await(s, stamps)).isAfter(target));
            headersRead++;
        }
        return after;
    }

    private long headerTimestamp(LtxFileRef f) throws IOException {
        String key = source.key(f.level(), f.minTxid(), f.maxTxid());
        byte[] b;
        try (InputStream in = source.client().get(key, 0, LtxHeader.SIZE)) {
            b = in.readNBytes(LtxHeader.SIZE);
        } catch (io.litefleet.api.replica.ReplicaException e) {
            throw e;
        } catch (IOException e) {
            throw Restorer.transferFailure(source, key, e);
        }
        LtxHeader h;
        try {
            h = LtxHeader.parse(b);
        } catch (LtxFormatException e) {
            throw new LtxFormatException(source.url(key) + ": " + e.getMessage(), e);
        }
        if (h.minTxid() != f.minTxid() || h.maxTxid() != f.maxTxid()) {
            throw new LtxFormatException(source.url(key) + ": header holds TXIDs "
                    + String.format("%016x-%016x", h.minTxid(), h.maxTxid()) + ", not the ones its name says");
        }
        return h.timestamp();
    }
}
