package io.litefleet.core.restore;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.core.replica.ReplicaTarget;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.RetryPolicy;

/**
 * Downloads the files of a plan ahead of the applier, in plan order, into memory: at most {@code parallelism}
 * files are downloading or waiting to be applied, and together at most {@code budget} bytes (by their listed
 * sizes). A file larger than the budget is not prefetched; {@link #take} returns null for it and the applier
 * streams it itself. Used by one applier thread; the downloads run on the given executor.
 */
final class Prefetcher implements AutoCloseable {
    private final ReplicaTarget source;
    private final List<LtxFileRef> files;
    private final int parallelism;
    private final long budget;
    private final RetryPolicy retry;
    private final ExecutorService pool;
    private final List<Future<byte[]>> futures;
    private final boolean[] direct;
    private int next;
    private int inFlight;
    private long reserved;

    Prefetcher(ReplicaTarget source, List<LtxFileRef> files, int parallelism, long budget, RetryPolicy retry,
            ExecutorService pool) {
        this.source = source;
        this.files = files;
        this.parallelism = parallelism;
        this.budget = budget;
        this.retry = retry;
        this.pool = pool;
        this.futures = new java.util.ArrayList<>(java.util.Collections.nCopies(files.size(), null));
        this.direct = new boolean[files.size()];
    }

    /**
     * The bytes of file {@code i}, waiting for its download, or null when the caller must stream it. Files must be
     * taken in order and each {@link #release released} after use.
     */
    byte[] take(int i) throws IOException {
        schedule();
        if (direct[i]) {
            return null;
        }
        return Restorer.await(futures.get(i), futures);
    }

    /** Frees file {@code i}'s memory and starts further downloads. */
    void release(int i) {
        if (!direct[i] && futures.get(i) != null) {
            futures.set(i, null);
            inFlight--;
            reserved -= files.get(i).size();
        }
        schedule();
    }

    private void schedule() {
        while (next < files.size() && inFlight < parallelism) {
            LtxFileRef f = files.get(next);
            if (f.size() > budget) {
                direct[next++] = true;
                continue;
            }
            if (inFlight > 0 && reserved + f.size() > budget) {
                return;
            }
            String key = source.key(f.level(), f.minTxid(), f.maxTxid());
            futures.set(next++, pool.submit(() -> retry.call(() -> download(key))));
            inFlight++;
            reserved += f.size();
        }
    }

    private byte[] download(String key) throws IOException {
        try (InputStream in = source.client().get(key)) {
            return in.readAllBytes();
        } catch (ReplicaException e) {
            throw e;
        } catch (IOException e) {
            throw Restorer.transferFailure(source, key, e);
        }
    }

    /** Cancels downloads still running. */
    @Override
    public void close() {
        for (Future<byte[]> f : futures) {
            if (f != null) {
                f.cancel(true);
            }
        }
    }
}
