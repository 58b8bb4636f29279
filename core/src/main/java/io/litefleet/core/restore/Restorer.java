package io.litefleet.core.restore;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.ltx.Checksums;
import io.litefleet.core.ltx.LtxDecoder;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.ltx.LtxTrailer;
import io.litefleet.core.ltx.TokenOrder;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaListing;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.replica.StaleFiles;

/**
 * Rebuilds a database from a replica: {@link #plan} chooses the files, {@link #restore} downloads, verifies and
 * applies them into {@code <output>.tmp} and installs the result atomically.
 *
 * <p>Restore guarantees: every LTX file is decoded completely and every checksum in it verified (an invalid file
 * aborts the restore naming its key); pages are written at {@code (pgno - 1) * pageSize} and the file is cut to
 * each file's commit size, so shrinking and growth are reproduced; the result is fsynced, compared with the last
 * file's post-apply checksum when that file tracks one, and checked as {@link RestoreOptions#check()} says
 * ({@code PRAGMA integrity_check} by default) before it is renamed into place and the directory fsynced. On any
 * failure the temp file is removed and the output is untouched. Retryable replica failures are retried by the {@link RetryPolicy}.
 *
 * <p>The output keeps the database header exactly as the replica holds it (a WAL-mode database, as upstream
 * restores it) unless {@link RestoreOptions#forReaders()} asks for follow mode's header, and no {@code -wal} or
 * {@code -shm} is left beside it.
 *
 * <p>Threads: downloads and header reads run on virtual threads named {@code litefleet-restore-<n>}, created per
 * call and stopped before it returns; pages are applied and SQLite is called on the caller's thread. Instances
 * are immutable and thread-safe; concurrent restores to the same output are refused by the temp file.
 */
public final class Restorer {
    private static final System.Logger LOG = System.getLogger(Restorer.class.getName());
    private final Clock clock;
    private final RetryPolicy retry;
    private final Duration skew;

    private Restorer(Clock clock, RetryPolicy retry, Duration skew) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.skew = Objects.requireNonNull(skew, "skew");
    }

    /** A restorer timing with {@code clock} and retrying with {@code retry}. */
    public static Restorer create(Clock clock, RetryPolicy retry) {
        return new Restorer(clock, retry, TimestampResolver.DEFAULT_SKEW);
    }

    /**
     * The files that rebuild {@code target}, chosen by {@link RestorePlanner} from the replica's listing. A time
     * target is first turned into a TXID as {@link TimestampResolver} describes (reading a few LTX headers in
     * parallel, at most {@code parallelism} at once).
     *
     * @return the plan, or empty when the replica holds no state within the target
     * @throws RestoreGapException for the latest state when the replica has a gap
     * @throws RestoreException    for a TXID target that is not a state the replica can rebuild (not the end of
     *                             any file, or beyond the latest); the message names the nearest earlier one
     */
    public Optional<RestorePlan> plan(ReplicaTarget source, RestoreTarget target, int parallelism)
            throws IOException {
        List<LtxFileRef> files = ReplicaListing.list(source, retry);
        RestoreTarget effective = target;
        if (target instanceof RestoreTarget.AtTime t) {
            long txid;
            try (ExecutorService pool = threads()) {
                txid = TimestampResolver.resolve(source, files, t.time(), skew, parallelism, retry, pool).txid();
            }
            if (txid == 0) {
                return Optional.empty();
            }
            effective = new RestoreTarget.AtTxid(txid);
        }
        Optional<RestorePlan> plan = RestorePlanner.plan(files, effective);
        if (target instanceof RestoreTarget.AtTxid t && plan.isPresent() && plan.get().txid() != t.txid()) {
            throw new RestoreException(String.format("TXID %016x is not a state %s can restore: the nearest "
                    + "earlier one is TXID %016x (restore with -txid %x)", t.txid(), source.url(),
                    plan.get().txid(), plan.get().txid()));
        }
        return plan;
    }

    /**
     * Executes {@code plan} from {@code source} into {@code options.output()}.
     *
     * @throws java.nio.file.FileAlreadyExistsException naming the output (or a sidecar of it) when it exists and
     *                                                   overwrite is off
     * @throws RestoreException  when a file is invalid or the result fails verification
     * @throws ReplicaException  when the replica fails beyond retries
     */
    public RestoreResult restore(ReplicaTarget source, RestorePlan plan, RestoreOptions options) throws IOException {
        Instant start = clock.instant();
        long bytes = 0;
        List<String> stale = new java.util.ArrayList<>();
        try (RestoreOutput out = RestoreOutput.create(options.output(), options.overwrite());
                ExecutorService pool = threads();
                Prefetcher prefetch = new Prefetcher(source, plan.files(), options.parallelism(),
                        options.prefetchBytes(), retry, pool)) {
            Applied last = null;
            TokenOrder tokens = new TokenOrder();
            for (int i = 0; i < plan.files().size(); i++) {
                LtxFileRef f = plan.files().get(i);
                last = applyFile(source, f, i == 0 ? null : last.header(), prefetch, i, out);
                bytes += last.bytes();
                long earlier = tokens.next(last.header().nodeId());
                if (earlier != 0) {
                    stale.add(staleFile(source, f, last.header().nodeId(), earlier));
                }
            }
            prefetch.close();
            pool.shutdownNow();
            verifyAndInstall(source, plan, last, out, options);
        }
        return new RestoreResult(plan.txid(), plan.files().size(), bytes, Duration.between(start, clock.instant()),
                stale);
    }

    /** Reports (log and counter) a stale owner's file applied by a restore; returns the report. */
    private static String staleFile(ReplicaTarget source, LtxFileRef f, long token, long earlier) {
        String report = source.url(source.key(f.level(), f.minTxid(), f.maxTxid())) + ": written with fencing token "
                + Long.toUnsignedString(token) + " after a file with token " + Long.toUnsignedString(earlier)
                + " (by a stale owner, which kept writing after it lost the replica path)";
        StaleFiles.count(StaleFiles.Where.RESTORE);
        LOG.log(System.Logger.Level.WARNING, report);
        return report;
    }

    private record Applied(LtxHeader header, LtxTrailer trailer, long bytes) {
    }

    private Applied applyFile(ReplicaTarget source, LtxFileRef f, LtxHeader previous, Prefetcher prefetch, int i,
            RestoreOutput out) throws IOException {
        String key = source.key(f.level(), f.minTxid(), f.maxTxid());
        byte[] body = prefetch.take(i);
        try {
            if (body != null) {
                return apply(source, key, f, previous, new ByteArrayInputStream(body), out);
            }
            // Streamed: a retry re-applies the whole file, rewriting every page a broken attempt wrote.
            return retry.call(() -> {
                try (InputStream in = new SourceStream(source, key, source.client().get(key))) {
                    return apply(source, key, f, previous, in, out);
                }
            });
        } finally {
            prefetch.release(i);
        }
    }

    private static Applied apply(ReplicaTarget source, String key, LtxFileRef f, LtxHeader previous, InputStream in,
            RestoreOutput out) throws IOException {
        try {
            LtxDecoder dec = LtxDecoder.open(in);
            LtxHeader h = dec.header();
            checkHeader(f, previous, h);
            byte[] page = new byte[h.pageSize()];
            for (int pgno; (pgno = dec.readPage(page)) != 0;) {
                out.writePage(pgno, page);
            }
            LtxTrailer trailer = dec.finish();
            out.setLength((long) h.commit() * h.pageSize());
            return new Applied(h, trailer, dec.bytesRead());
        } catch (LtxFormatException e) {
            throw new RestoreException(source.url(key) + ": invalid LTX file: " + e.getMessage(), e);
        }
    }

    private static void checkHeader(LtxFileRef f, LtxHeader previous, LtxHeader h) throws LtxFormatException {
        if (h.minTxid() != f.minTxid() || h.maxTxid() != f.maxTxid()) {
            throw new LtxFormatException(String.format("header holds TXIDs %016x-%016x, not the ones its name says",
                    h.minTxid(), h.maxTxid()));
        }
        if (previous == null && !h.isSnapshot()) {
            throw new LtxFormatException("the first file of a restore must be a snapshot (min TXID 1)");
        }
        if (previous != null && h.pageSize() != previous.pageSize()) {
            throw new LtxFormatException("page size " + h.pageSize() + " differs from the previous file's "
                    + previous.pageSize());
        }
    }

    private static void verifyAndInstall(ReplicaTarget source, RestorePlan plan, Applied last, RestoreOutput out,
            RestoreOptions options) throws IOException {
        out.sync();
        if (!last.header().noChecksum()) {
            long actual = out.checksum(last.header().pageSize());
            if (actual != last.trailer().postApplyChecksum()) {
                throw new RestoreException(String.format("restored database from %s has checksum %s, but %s says "
                        + "the database at TXID %016x has %s", source.url(), Checksums.hex(actual),
                        plan.files().get(plan.files().size() - 1), plan.txid(),
                        Checksums.hex(last.trailer().postApplyChecksum())));
            }
        }
        List<String> problems = out.integrityCheck(options.check());
        if (!problems.isEmpty()) {
            throw new RestoreException("restored database from " + source.url() + " at TXID "
                    + String.format("%016x ", plan.txid()) + RestoreOutput.describe(options.check(), problems));
        }
        if (options.forReaders()) {
            out.markForReaders();
        }
        out.install();
    }

    private static ExecutorService threads() {
        return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("litefleet-restore-", 0).factory());
    }

    /** A failure while reading an object's bytes, as a retryable replica failure. */
    static ReplicaException transferFailure(ReplicaTarget source, String key, IOException e) {
        return new ReplicaException(ReplicaFailure.IO, "reading " + source.url(key) + " failed: "
                + e.getMessage(), e);
    }

    /**
     * Waits for {@code f}, unwrapping its failure; on interrupt, cancels {@code all} and keeps the interrupt.
     */
    static <T> T await(Future<T> f, List<? extends Future<?>> all) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            all.forEach(x -> {
                if (x != null) {
                    x.cancel(true);
                }
            });
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("restore interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new UncheckedIOException(new IOException(c));
        }
    }

    /** Turns read failures of a replica stream into retryable replica failures naming the key. */
    private static final class SourceStream extends FilterInputStream {
        private final ReplicaTarget source;
        private final String key;

        SourceStream(ReplicaTarget source, String key, InputStream in) {
            super(in);
            this.source = source;
            this.key = key;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (ReplicaException e) {
                throw e;
            } catch (IOException e) {
                throw transferFailure(source, key, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (ReplicaException e) {
                throw e;
            } catch (IOException e) {
                throw transferFailure(source, key, e);
            }
        }
    }
}
