package io.litefleet.core.restore;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.core.ltx.LtxDecoder;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaListing;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RetryPolicy;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Follow mode: keeps a restored database up to date from its replica as new LTX files appear, so other processes
 * can read it as a read replica (upstream's {@code restore -f}).
 *
 * <p>Each {@link #poll} lists the replica once and applies, in TXID order, the files that continue the database's
 * TXID (L0 files, or a compacted file of a higher level where the L0 files are gone; a snapshot only when nothing
 * else continues it). Each file is downloaded and completely verified (header TXIDs, page size, every checksum)
 * before the database is touched; it is then written under {@link DbFileLock}, SQLite's EXCLUSIVE lock, so a reader
 * sees the state before or after the file, never between. The header is kept in rollback-journal mode with a moved
 * change counter ({@link ReaderHeader}); readers must open the database read-only (a writer would diverge from the
 * replica). After each file the TXID is recorded in {@code <db>-txid} ({@link TxidFile}), from which a later follower
 * resumes.
 *
 * <p>Not thread-safe, except {@link #stop}, which any thread (a signal handler) may call. The caller closes it.
 */
public final class Follower implements AutoCloseable {
    /** What a follower reports while it runs. */
    public interface Listener {
        /** Files took the database from TXID {@code from} to {@code to}. */
        void applied(long from, long to);

        /** A poll failed; the next one tries again. */
        void failed(IOException e);
    }

    private final ReplicaTarget source;
    private final Path db;
    private final RetryPolicy retry;
    private final FileChannel channel;
    private final int pageSize;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private long txid;

    private Follower(ReplicaTarget source, Path db, RetryPolicy retry, FileChannel channel, int pageSize, long txid) {
        this.source = source;
        this.db = db;
        this.retry = retry;
        this.channel = channel;
        this.pageSize = pageSize;
        this.txid = txid;
    }

    /**
     * Opens the follow-mode database {@code db}, at the TXID its {@code -txid} record holds, to follow {@code source}.
     *
     * @throws RestoreException naming the files when {@code db} has no {@code -txid} record (it was not restored by
     *                          follow mode, so its state is unknown) or the record is beyond every file of the replica
     */
    public static Follower open(ReplicaTarget source, Path db, RetryPolicy retry) throws IOException {
        Path path = db.toAbsolutePath();
        OptionalLong recorded = TxidFile.read(path);
        if (recorded.isEmpty()) {
            throw new RestoreException("cannot resume follow mode: " + path + " exists but " + TxidFile.of(path)
                    + " does not, so its state is unknown; delete the database to restore it anew, or follow into "
                    + "another -o path");
        }
        long max = ReplicaListing.list(source, retry).stream().mapToLong(LtxFileRef::maxTxid).max().orElse(0);
        if (recorded.getAsLong() > max) {
            throw new RestoreException(String.format("cannot resume follow mode: %s records TXID %016x, beyond the "
                    + "newest TXID %016x of %s (the replica was reset or belongs to another database); delete %s and "
                    + "%s to restore anew", TxidFile.of(path), recorded.getAsLong(), max, source.url(), path,
                    TxidFile.of(path)));
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            return new Follower(source, path, retry, ch, ReaderHeader.pageSize(ch, path), recorded.getAsLong());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The TXID the database holds. */
    public long txid() {
        return txid;
    }

    /**
     * Applies the files that are new since the last poll.
     *
     * @return the TXID the database holds afterwards
     * @throws RestoreException naming the file when one is invalid (the files before it stay applied), or when the
     *                          replica now ends before this database's TXID (reset: nothing is applied)
     * @throws ReplicaException when the replica fails beyond retries
     */
    public long poll() throws IOException {
        List<LtxFileRef> files = ReplicaListing.list(source, retry);
        long newest = files.stream().mapToLong(LtxFileRef::maxTxid).max().orElse(0);
        if (newest < txid) {
            throw new RestoreException(String.format("%s ends at TXID %016x, behind this database's %016x: the "
                    + "replica was reset or replaced; nothing is applied (delete %s and %s to restore anew)",
                    source.url(), newest, txid, db, TxidFile.of(db)));
        }
        for (LtxFileRef f : continuation(files, txid)) {
            apply(f);
            txid = f.maxTxid();
            TxidFile.write(db, txid);
        }
        return txid;
    }

    /**
     * Polls every {@code interval} until {@link #stop} (or an interrupt); a file being applied is finished first.
     */
    public void run(Duration interval, Listener listener) {
        try {
            while (!stopped.await(interval.toNanos(), TimeUnit.NANOSECONDS)) {
                long before = txid;
                try {
                    poll();
                } catch (IOException e) {
                    listener.failed(e);
                }
                if (txid != before) {
                    listener.applied(before, txid);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends {@link #run} after the file being applied, if any. Any thread; idempotent. */
    public void stop() {
        stopped.countDown();
    }

    /**
     * The files that take a database at TXID {@code after} furthest, in order: at each step the file continuing it
     * without a gap that reaches furthest (ties: the higher level), a snapshot only when no other file continues it.
     * Pure function.
     */
    static List<LtxFileRef> continuation(Collection<LtxFileRef> files, long after) {
        List<LtxFileRef> chain = new ArrayList<>();
        Comparator<LtxFileRef> furthest = Comparator.comparingLong(LtxFileRef::maxTxid)
                .thenComparingInt(LtxFileRef::level);
        long cur = after;
        while (true) {
            long reached = cur;
            List<LtxFileRef> next = files.stream().filter(f -> f.minTxid() <= reached + 1 && f.maxTxid() > reached)
                    .toList();
            Optional<LtxFileRef> pick = next.stream().filter(f -> !f.isSnapshot()).max(furthest)
                    .or(() -> next.stream().max(furthest));
            if (pick.isEmpty()) {
                return chain;
            }
            chain.add(pick.get());
            cur = pick.get().maxTxid();
        }
    }

    private void apply(LtxFileRef f) throws IOException {
        String key = source.key(f.level(), f.minTxid(), f.maxTxid());
        Path spool = Files.createTempFile(db.getParent(), db.getFileName() + "-follow-", ".ltx");
        try {
            download(key, spool);
            try (InputStream in = open(spool)) {
                verify(key, f, in);
            }
            try (DbFileLock lock = DbFileLock.acquire(channel); InputStream in = open(spool)) {
                write(LtxDecoder.open(in));
            }
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private void download(String key, Path spool) throws IOException {
        retry.call(() -> {
            try (InputStream in = source.client().get(key)) {
                Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
            } catch (ReplicaException e) {
                throw e;
            } catch (IOException e) {
                throw Restorer.transferFailure(source, key, e);
            }
            return null;
        });
    }

    private void verify(String key, LtxFileRef f, InputStream in) throws IOException {
        try {
            LtxDecoder dec = LtxDecoder.open(in);
            LtxHeader h = dec.header();
            if (h.minTxid() != f.minTxid() || h.maxTxid() != f.maxTxid()) {
                throw new LtxFormatException(String.format("header holds TXIDs %016x-%016x, not the ones its name "
                        + "says", h.minTxid(), h.maxTxid()));
            }
            if (h.pageSize() != pageSize) {
                throw new LtxFormatException("page size " + h.pageSize() + " differs from the database's " + pageSize);
            }
            byte[] page = new byte[pageSize];
            while (dec.readPage(page) != 0) {
                // every page decoded and checked before the database is touched
            }
            dec.finish();
        } catch (LtxFormatException e) {
            throw new RestoreException(source.url(key) + ": invalid LTX file: " + e.getMessage(), e);
        }
    }

    /** Writes a verified file's pages, cuts the database to its commit size and rewrites the header; under lock. */
    private void write(LtxDecoder dec) throws IOException {
        int counter = ReaderHeader.changeCounter(channel, db);
        byte[] page = new byte[pageSize];
        for (int pgno; (pgno = dec.readPage(page)) != 0;) {
            ByteBuffer b = ByteBuffer.wrap(page);
            long pos = (long) (pgno - 1) * pageSize;
            while (b.hasRemaining()) {
                pos += channel.write(b, pos);
            }
        }
        long size = (long) dec.header().commit() * pageSize;
        if (channel.size() > size) {
            channel.truncate(size);
        }
        ReaderHeader.write(channel, db, counter + 1);
        channel.force(true);
    }

    private static InputStream open(Path spool) throws IOException {
        return new BufferedInputStream(Files.newInputStream(spool), 1 << 16);
    }

    /** Closes the database file. Idempotent. */
    @Override
    public void close() throws IOException {
        stop();
        channel.close();
    }

    @Override
    public String toString() {
        return "Follower[" + Objects.toString(source.url()) + " -> " + db + " at " + String.format("%016x", txid)
                + "]";
    }
}
