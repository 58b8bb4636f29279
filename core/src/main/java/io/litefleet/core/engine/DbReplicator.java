package io.litefleet.core.engine;

import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.core.ltx.Checksums;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.ReplicaPosition;
import io.litefleet.core.state.ReplicaPosition.WalMark;
import io.litefleet.core.wal.WalBatch;
import io.litefleet.core.wal.WalFrame;
import io.litefleet.core.wal.WalHeader;
import io.litefleet.core.wal.WalPosition;
import io.litefleet.core.wal.WalReader;
import io.litefleet.core.wal.WalStop;
import io.litefleet.core.wal.WalTransaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.litefleet.core.replica.ReplicaTarget;

/**
 * Streams one SQLite database to its replica: a state machine with no thread of its own, driven by
 * {@link #sync()} from a shared worker pool.
 *
 * <p>Each sync reads the complete committed transactions the {@code -wal} holds after the shipped position,
 * encodes them as one level-0 LTX file (the next TXID), uploads it, records the position in the catalog, and
 * only then, when due, checkpoints. Continuity with what the replica holds is proven at every step: within a WAL
 * generation by the frame checksum chain; across a WAL restart by our own checkpoint (no other connection
 * committed while our snapshot was released, per {@code PRAGMA data_version}) followed by exactly one restart
 * (salt-1 and the checkpoint sequence both one higher); and otherwise by comparing the database checksum with the
 * shipped one. When continuity cannot be proven the current state is captured as the next TXID: only the pages
 * that differ when the shipped state's page checksums are known (hot), every page otherwise. A committed
 * transaction is therefore never skipped silently.
 *
 * <p>Not thread-safe: one thread at a time. {@link #close()} releases the connection and file handles.
 */
public final class DbReplicator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DbReplicator.class.getName());
    /**
     * WAL bytes a failing destination may hold back from checkpoints before it lets go ({@link #releaseIfBehind}).
     */
    public static final long MAX_PINNED_WAL_BYTES = 256L << 20;
    /** How coarse file modification times may be, at most (2 s: FAT; ext4 and tmpfs stamp at the clock tick). */
    private static final long TIMESTAMP_GRANULARITY_NANOS = 2_000_000_000L;

    private final Path db;
    /** The file SQLite opens for {@code db}, symlinks resolved (see {@link #resolveFile}), and its {@code -wal}. */
    private Path file;
    private Path wal;
    private final ReplicaTarget target;
    private final Catalog catalog;
    private final EngineSettings settings;
    private final Clock clock;
    private final ReplicaListener listener;

    private final ChecksumJournal journal;
    /** Where syncs and checkpoints are counted ({@link #countInto}); by default into counters nobody reads. */
    private volatile DbStats stats = DbStats.UNREAD;

    private SqliteSession session;
    /** Instead of {@link #session}, during a transient pass over a cold database with no {@code -wal}. */
    private ColdRead cold;
    /** Whether {@link #open()} may read a cold database without a connection ({@link #syncThenClose}). */
    private boolean coldAllowed;
    private FileChannel dbFile;
    private DbFile dbPages;
    private PageChecksums crcs;
    private Position pos;
    private Runnable afterCheckpoint = () -> { };
    private Runnable whileUnpinned = () -> { };
    /**
     * Set by {@link #releaseDatabaseFile} when the position is at an empty WAL and the files may have changed while
     * no connection of ours pinned the WAL: the next sync compares the database file with the shipped state.
     */
    private boolean unprovenGap;
    private FileFingerprint observed = FileFingerprint.ABSENT;
    private boolean quietFirstCapture;
    /** What the catalog holds for this replica, as this replicator last recorded it (null: nothing yet). */
    private Position recordedPos;
    private FileFingerprint recordedObserved;
    private WalProof proof;
    private boolean refreshAfterRestart;
    private Instant lastCheckpoint;
    private boolean shippedSinceCheckpoint;
    /** Whether the upload being prepared leaves more of the WAL to ship (the batch hit the size budget). */
    private boolean uploadMore;
    /** Set by {@link #startNewChain}; the next sync captures a new chain. */
    private volatile String pendingNewChain;
    /** The database file's identity (device and inode) when the connection was opened. */
    private Object openedFile;
    /** Whether the first capture into an empty replica is also uploaded as the snapshot {@code 1..1}. */
    private volatile boolean snapshotFirstCapture;

    private DbReplicator(Path db, ReplicaTarget target, Catalog catalog, EngineSettings settings, Clock clock,
                         ReplicaListener listener) {
        this.db = db;
        resolveFile();
        this.target = target;
        this.catalog = catalog;
        this.settings = settings;
        this.clock = clock;
        this.listener = listener;
        this.journal = new ChecksumJournal(catalog.directory(), clock, db, target.describe());
    }

    /** A replicator for {@code db}; nothing is opened until the first {@link #sync()}. */
    public static DbReplicator create(Path db, ReplicaTarget target, Catalog catalog, EngineSettings settings,
                                      Clock clock, ReplicaListener listener) {
        return new DbReplicator(db.toAbsolutePath().normalize(), target, catalog, settings, clock, listener);
    }

    /**
     * Uploads the first capture into an empty replica twice, as the level-0 file and as the level-9 snapshot
     * {@code 1..1}, as upstream does at its start (its snapshot monitor runs at once and finds none): the replica has
     * a snapshot from the start, as upstream's tools and users expect. Fleet mode leaves it off: a cold database's
     * first settle takes the snapshot, and a fleet's first capture stays one upload per database.
     *
     * @return this
     */
    public DbReplicator snapshottingFirstCapture() {
        snapshotFirstCapture = true;
        return this;
    }

    /** The database file. */
    public Path path() {
        return db;
    }

    /**
     * Logs a first capture (a replica that held nothing) at DEBUG instead of INFO: a fleet captures thousands at
     * once and logs a summary instead. Captures that replace or repair a replica's state keep their level.
     */
    public void quietFirstCapture() {
        this.quietFirstCapture = true;
    }

    /** Counts this replicator's syncs and checkpoints into {@code shared} from now on (metrics). */
    public void countInto(DbStats shared) {
        this.stats = java.util.Objects.requireNonNull(shared, "shared");
    }

    /** Where this replicator's syncs and checkpoints are counted. */
    public DbStats stats() {
        return stats;
    }

    /** Where it replicates. */
    public ReplicaTarget target() {
        return target;
    }

    /** The last TXID the replica holds, 0 before the first sync. */
    public long txid() {
        return pos == null ? 0 : pos.txid();
    }

    /**
     * Makes the next sync capture the whole database as a new restore chain (a snapshot plus the next level-0 file),
     * for a replica found unrestorable (its files were removed while we replicated). Thread-safe.
     */
    public void startNewChain(String why) {
        pendingNewChain = why;
    }

    /**
     * After a failed sync: when the {@code -wal} has grown more than {@code maxBytes} past what this destination
     * shipped, closes the connection, so its read transaction no longer holds the application's checkpoints back (a
     * dead destination would otherwise let the WAL grow without bound). Nothing is lost: the next sync opens again and
     * continues from the recorded position when the WAL still proves it, or ships the difference from the shipped
     * state (a capture of the changed pages). Returns whether it let go. Not thread-safe, as {@link #sync()}.
     */
    public boolean releaseIfBehind(long maxBytes) {
        if (session == null || pos == null) {
            return false;
        }
        BasicFileAttributes w = FileStats.attributes(wal);
        long behind = w == null ? 0 : w.size() - pos.wal().offset();
        if (behind <= maxBytes) {
            return false;
        }
        log(System.Logger.Level.WARNING, "%d MiB of WAL not shipped to %s: letting go of the WAL so the "
                + "application's checkpoints can proceed; it catches up when the destination is back", behind >> 20,
                target.url());
        closeQuietly();
        return true;
    }

    /**
     * WAL bytes past the position this destination shipped, as {@link #releaseIfBehind} measures them (the size of the
     * {@code -wal}, so frames of a WAL restarted by a passive checkpoint count until the file shrinks), also while the
     * connection is closed after a failure; 0 before the first position. Stats the {@code -wal}. Not thread-safe, as
     * {@link #sync()}.
     */
    public long unshippedWalBytes() {
        if (pos == null) {
            return 0;
        }
        BasicFileAttributes w = FileStats.attributes(wal);
        return w == null ? 0 : Math.max(0, w.size() - pos.wal().offset());
    }

    /** Tests: runs right after our checkpoint, before the WAL is pinned again (the riskiest moment). */
    void afterCheckpoint(Runnable hook) {
        this.afterCheckpoint = hook;
    }

    /** Tests: runs while {@link #releaseDatabaseFile} holds no connection (between closing and opening again). */
    void whileUnpinned(Runnable hook) {
        this.whileUnpinned = hook;
    }

    /** Whether we hold a descriptor on the database file (tests: most opens need none). */
    boolean holdsDatabaseFile() {
        return dbFile != null;
    }

    /** Whether the connection is open. */
    public boolean isOpen() {
        return session != null || cold != null;
    }

    /**
     * Ships everything committed since the last sync, then checkpoints when due. Opens the database first if
     * needed (which proves continuity with the recorded position or captures the current state).
     *
     * @throws NotReplicableException when the database is missing or not a WAL database (nothing is shipped)
     * @throws IOException            on read or upload failures; the position is unchanged and the next sync
     *                                retries from it
     */
    public SyncResult sync() throws IOException {
        SyncResult result = syncPinned();
        if (dbFile != null) {
            releaseDatabaseFile();
        }
        return result;
    }

    /**
     * Starts a sync whose upload may run on another thread: when what is new in the WAL continues the shipped
     * position and fits in memory, its LTX file is encoded now and returned as an {@link SyncStep.Upload} for the caller
     * to put (off the SQLite threads) and hand back to {@link #uploaded}; anything else (opening, captures, WAL
     * restarts, large files, nothing new) runs as {@link #sync()} does and returns {@link SyncStep.Done}. Between the
     * two calls the replicator must not be used by anyone else.
     */
    public SyncStep beginSync() throws IOException {
        return beginSync(SyncResult.idle(txid()));
    }

    private SyncStep beginSync(SyncResult before) throws IOException {
        if (session == null || refreshAfterRestart || pendingNewChain != null || dbFile != null || pos == null
                || pos.wal().isInitial()) {
            return new SyncStep.Done(before.plus(sync()));
        }
        BasicFileAttributes now = FileStats.attributes(db);
        if (now == null || !now.fileKey().equals(openedFile) || linkRetargeted()) {
            return new SyncStep.Done(before.plus(sync()));
        }
        observed = fingerprint(now);
        try (WalReader reader = openWal()) {
            WalBatch batch = reader.read(pos.wal(), maxFrames());
            boolean plain = batch.header().isPresent() && batch.header().get().pageSize() == pos.pageSize()
                    && continues(batch.stop()) && !batch.transactions().isEmpty() && crcs != null;
            List<WalFrame> frames = plain ? latestFrames(batch) : List.of();
            if (!plain || (long) frames.size() * pos.pageSize() > LtxPublisher.IN_MEMORY_LIMIT) {
                return new SyncStep.Done(before.plus(sync())); // the general path decides, inline
            }
            return prepareUpload(reader, batch, frames, before);
        }
    }

    /** Encodes {@code batch} as the next TXID into memory; its effects wait for {@link #uploaded}. */
    private SyncStep.Upload prepareUpload(WalReader reader, WalBatch batch, List<WalFrame> frames, SyncResult before)
            throws IOException {
        List<WalTransaction> txs = batch.transactions();
        int commit = (int) txs.get(txs.size() - 1).commitSize();
        long txid = pos.txid() + 1;
        WalFrame first = txs.get(0).frames().get(0);
        long walEnd = txs.get(txs.size() - 1).end().offset();
        LtxPublisher file = LtxPublisher.of(target, pos.pageSize(), commit, txid, txid, clock.instant(),
                first.frameOffset(), walEnd - first.frameOffset(), first.salt1(), first.salt2());
        byte[] page = new byte[pos.pageSize()];
        byte[] bytes = file.encodeDetached(sink -> {
            for (WalFrame f : frames) {
                reader.readPage(f, ByteBuffer.wrap(page));
                sink.page((int) f.pageNumber(), page);
            }
        });
        Position at = pos;
        WalPosition end = txs.get(txs.size() - 1).end();
        Runnable commitIt = () -> {
            crcs.apply(file.crcs(), commit);
            pos = new Position(txid, crcs.rolling(), at.pageSize(), commit, end);
            shippedSinceCheckpoint = true;
            journal.append(pos, file.crcs(), crcs);
        };
        uploadMore = batch.stop().kind() == WalStop.Kind.LIMIT;
        return new SyncStep.Upload(this, file, bytes, at, commitIt, before);
    }

    /**
     * The upload of {@code step} succeeded: the position advances (recorded in the catalog), then the sync goes on
     * as {@link #beginSync()} would: the next file, or the checkpoint when due.
     *
     * @throws IllegalStateException when the step is not this replicator's latest (a bug in the caller)
     */
    public SyncStep uploaded(SyncStep.Upload step) throws IOException {
        if (step.owner != this || step.token != pos || session == null) {
            throw new IllegalStateException(db + ": an upload was handed back out of order");
        }
        step.commit.run();
        record();
        listener.uploaded(step.ref, step.bytes);
        SyncResult done = step.before.plus(new SyncResult(step.file.txid(), 1, step.file.pages(), step.ref.size(),
                false, false));
        if (uploadMore) {
            return beginSync(done);
        }
        SyncResult result = done.plus(checkpointIfDue());
        if (dbFile != null) {
            releaseDatabaseFile();
        }
        return new SyncStep.Done(result);
    }

    private static List<WalFrame> latestFrames(WalBatch batch) {
        int commit = (int) batch.transactions().get(batch.transactions().size() - 1).commitSize();
        return batch.latestFrames().stream().filter(f -> f.pageNumber() <= commit).toList();
    }

    /**
     * One sync, then closing: a transient pass (open, sync, close). Skips giving the database file back between the
     * two, since closing does that anyway, and the second read of the {@code -wal} {@link #close()} would make right
     * after the sync read it to its end: a commit after that read is left to the next pass, which the fingerprint
     * recorded (taken before the sync read anything) calls for, as it would for a commit a moment after closing.
     */
    public SyncResult syncThenClose() throws IOException {
        SyncResult result;
        coldAllowed = true; // this pass ends with close(), so a copy read without a connection serves it whole
        try {
            result = syncPinned();
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            coldAllowed = false; // never for a replicator that stays open
        }
        closeShipped();
        return result;
    }

    /**
     * Gives back the database-file descriptor a sync needed (to prove continuity at open, or to capture), so a hot
     * database holds only its connection's three (database, {@code -wal}, {@code -shm}). Closing that descriptor
     * while the connection is open would drop the connection's POSIX locks, so the connection is closed first and
     * a new one pins the WAL again. Whatever happens in between is what a reopen meets anyway: the next sync
     * continues when the WAL proves it and captures otherwise. A checkpoint proof is dropped (it is never kept
     * while unpinned).
     */
    private void releaseDatabaseFile() {
        // From a position in the WAL the next read proves what happened meanwhile (salts, checksums, its length). At an
        // empty WAL it cannot: a commit made and checkpointed meanwhile is in the database file only, the WAL empty
        // again. An unchanged fingerprint rules that out unless its times are too recent for the file system's
        // timestamp granularity (the file system stamps with a coarse wall clock).
        boolean atEmptyWal = pos != null && pos.wal().isInitial();
        long wallMillis = System.currentTimeMillis();
        FileFingerprint before = atEmptyWal ? fingerprint() : null;
        ChecksumJournal.State saved = journal.state(); // the saved page checksums still describe pos
        closeQuietly();
        journal.restore(saved);
        whileUnpinned.run();
        try {
            session = SqliteSession.open(file, settings.busyTimeout(), settings.convertToWal());
            unprovenGap = atEmptyWal && (!fingerprint().equals(before) || recent(before, wallMillis));
        } catch (IOException e) {
            // What was shipped stays shipped; the next sync opens again and proves or captures as at any open.
            log(System.Logger.Level.DEBUG, "re-pinning after a database-file read failed: %s", e.getMessage());
        }
    }

    /** Whether a modification time of {@code f} lies within the timestamp granularity of {@code wallMillis}. */
    private static boolean recent(FileFingerprint f, long wallMillis) {
        long limit = wallMillis * 1_000_000L - TIMESTAMP_GRANULARITY_NANOS;
        return f.dbMtimeNanos() >= limit || f.walMtimeNanos() >= limit;
    }

    private SyncResult syncPinned() throws IOException {
        // Taken before anything is read: a change after this point differs from the recorded fingerprint, so a
        // fleet scan comparing fingerprints can never mistake an unshipped change for a shipped one.
        BasicFileAttributes now = FileStats.attributes(db);
        observed = fingerprint(now);
        Object key = now == null ? null : now.fileKey();
        if (session != null && key != null && !key.equals(openedFile)) {
            // Deleted and recreated, or renamed over: our connection still reads the old file. Open the new one and
            // let establish() decide (its page size, content and WAL are unrelated to what we shipped).
            log(System.Logger.Level.WARNING, "the database file was replaced while replicating: opening it again");
            closeQuietly();
        }
        SyncResult result = SyncResult.idle(txid());
        if (session != null && linkRetargeted()) {
            closeQuietly(); // the link names another file now: open that one, which continues or captures
        }
        if (session == null && cold == null) {
            result = open();
        }
        if (cold != null) {
            return result; // a copy of a database with no WAL: nothing more to ship, nothing to checkpoint
        }
        try {
            String newChain = pendingNewChain;
            if (newChain != null && pos != null) {
                pendingNewChain = null;
                result = result.plus(captureNewChain(newChain));
            }
            if (refreshAfterRestart) {
                // We read a new WAL generation with an unpinned snapshot; take one that pins it.
                session.refresh();
                refreshAfterRestart = false;
            }
            result = result.plus(shipNew());
            result = result.plus(checkpointIfDue());
            return result;
        } catch (NoSuchFileException e) {
            closeQuietly();
            if (e.getFile() != null && e.getFile().equals(wal.toString()) && Files.exists(db)) {
                // The -wal we pinned is gone while the database is there (removed, or the file was overwritten
                // and another connection cleaned up): open again, as at start.
                log(System.Logger.Level.WARNING, "the -wal disappeared while replicating: opening it again");
                return open();
            }
            throw e;
        } catch (PageSizeMismatchException e) {
            log(System.Logger.Level.WARNING, "%s: opening it again", e.getMessage());
            closeQuietly();
            return open(); // establish() sees the new page size and starts a new restore chain
        }
    }

    private SyncResult open() throws IOException {
        resolveFile();
        // Before opening: a replacement after this is seen at the next sync.
        BasicFileAttributes before = FileStats.attributes(file);
        openedFile = before == null ? null : before.fileKey();
        boolean coldRead = coldAllowed && pendingNewChain == null;
        coldAllowed = false;
        cold = coldRead ? ColdRead.read(file, wal, LtxPublisher.IN_MEMORY_LIMIT, openedFile).orElse(null) : null;
        if (cold == null) {
            session = SqliteSession.open(file, settings.busyTimeout(), settings.convertToWal());
        }
        try {
            lastCheckpoint = clock.instant();
            return establish();
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Decides, at open, whether the recorded position still continues; captures otherwise. */
    private SyncResult establish() throws IOException {
        int pageSize = pageSize();
        Optional<ReplicaPosition> row = catalog.get(db.toString(), target.describe()).filter(r -> r.txid() > 0);
        ReplicaCheck replica = ReplicaCheck.of(target, catalog, db.toString(), row, pageSize);
        try (WalReader reader = openWal()) {
            WalBatch all = reader.read(WalPosition.INITIAL);
            if (replica.continues()) {
                ReplicaPosition r = row.get();
                Position last = new Position(r.txid(), r.postApplyChecksum(), pageSize, (int) r.commitPages(),
                        toWal(r.wal()));
                Optional<List<WalTransaction>> suffix = suffixAfter(reader, all, last.wal());
                if (replica.ownEnd() == 0) {
                    return continueFrom(reader, all, last, suffix);
                }
                long ownEnd = replica.ownEnd();
                Optional<List<WalTransaction>> own = suffix.flatMap(txs -> endingAt(txs, ownEnd));
                if (own.isPresent()) {
                    return reship(reader, all, last, own.get());
                }
                replica = replica.broken(r.txid() + 1, String.format("the replica holds TXID %x, which "
                        + "this state directory did not record and the WAL no longer holds: starting a new restore "
                        + "chain", r.txid() + 1));
            }
            if (replica.adopt().isPresent()) {
                Optional<SyncResult> adopted = adopt(reader, all, replica.adopt().get(), replica.lastTxid(), pageSize);
                if (adopted.isPresent()) {
                    return adopted.get();
                }
                replica = replica.broken(replica.lastTxid(), replica.why() + " (the WAL does not continue the replica's "
                        + "last level-0 file: restarted, truncated or another database)");
            }
            DatabaseImage image = DatabaseImage.of(dbFile(), reader, all, pageSize);
            PageChecksums current = checksums(image, pageSize);
            return capture(image, current, null, replica.lastTxid(), resumePoint(all), replica.why(),
                    replica.lastTxid() > 0);
        }
    }

    /**
     * Takes over a replica another instance wrote (cluster mode, {@link ReplicaCheck#adopt()}): continues the TXIDs
     * after {@code txid}, the replica's last level-0 file {@code last}, when this WAL is the generation that file was
     * read from (same salts) and that file's WAL segment ends on a commit boundary of our own frame scan. Within one
     * salt generation SQLite never rewrites frames, so the replica holds exactly the state at that boundary, and the
     * transactions after it are the next TXID. The shipped page checksums are unknown (untracked position), so the
     * database is read once to learn them. Empty when the WAL proves nothing.
     */
    private Optional<SyncResult> adopt(WalReader reader, WalBatch all, LtxHeader last, long txid, int pageSize)
            throws IOException {
        if (all.header().isEmpty() || !all.header().get().sameSalts(last.walSalt1(), last.walSalt2())) {
            return Optional.empty();
        }
        long end = last.walOffset() + last.walSize();
        List<WalTransaction> txs = all.transactions();
        for (int i = 0; i < txs.size(); i++) {
            WalPosition at = txs.get(i).end();
            if (at.offset() == end && at.salt1() == last.walSalt1() && at.salt2() == last.walSalt2()) {
                String why = String.format("took over the replica at TXID %x (last written with fencing token %d): "
                        + "this WAL continues its last level-0 file", txid, last.nodeId());
                DatabaseImage image = DatabaseImage.of(dbFile(), reader, all, pageSize);
                PageChecksums current = checksums(image, pageSize);
                pos = new Position(txid, 0, pageSize, last.commit(), at);
                crcs = null;
                proof = null;
                return Optional.of(shipVerified(reader, all, txs.subList(i + 1, txs.size()), current, why));
            }
        }
        return Optional.empty();
    }

    /** Continues from the recorded position {@code last}, which the replica ends with. */
    private SyncResult continueFrom(WalReader reader, WalBatch all, Position last,
                                    Optional<List<WalTransaction>> suffix) throws IOException {
        Optional<PageChecksums> saved = suffix.isPresent() ? journal.load(last) : Optional.empty();
        if (saved.isPresent()) {
            // Proven by the WAL and with the shipped page checksums at hand: no need to read the database.
            pos = last;
            crcs = saved.get();
            if (suffix.get().isEmpty()) {
                pos = last.withWal(resumePoint(all));
                return SyncResult.idle(last.txid());
            }
            return shipBatch(reader, new WalBatch(all.header(), suffix.get(), all.end(), all.stop()));
        }
        return establishByReading(reader, all, last, suffix);
    }

    /**
     * Uploads again, as the TXID after {@code last}, exactly the transactions an earlier upload of ours held when its
     * position was never recorded (the process stopped, or the catalog could not be written, between the upload and
     * the record). The same frames give the same pages, so whatever compaction may already have merged from the
     * first upload stays consistent; later transactions follow as the next TXIDs.
     */
    private SyncResult reship(WalReader reader, WalBatch all, Position last, List<WalTransaction> own)
            throws IOException {
        String why = String.format("TXID %x was uploaded but not recorded: uploaded again from the same WAL frames",
                last.txid() + 1);
        log(System.Logger.Level.INFO, "%s", why);
        Optional<PageChecksums> saved = journal.load(last);
        pos = last;
        if (saved.isPresent()) {
            crcs = saved.get();
            return shipBatch(reader, new WalBatch(all.header(), own, all.end(), all.stop()));
        }
        crcs = null;
        DatabaseImage image = DatabaseImage.of(dbFile(), reader, all, last.pageSize());
        return shipVerified(reader, all, own, checksums(image, last.pageSize()), why);
    }

    /** The first transactions of {@code txs}, up to the one ending at WAL offset {@code end}, if one does. */
    private static Optional<List<WalTransaction>> endingAt(List<WalTransaction> txs, long end) {
        for (int i = 0; i < txs.size(); i++) {
            if (txs.get(i).end().offset() == end) {
                return Optional.of(txs.subList(0, i + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * Establishes continuity when the page checksums must be read from the database itself. Equality is always
     * decided page by page against the shipped state's saved page checksums, never by the rolling XOR (which is
     * linear: equal XOR changes to two pages cancel out). Without saved page checksums the state is captured.
     */
    private SyncResult establishByReading(WalReader reader, WalBatch all, Position last,
                                          Optional<List<WalTransaction>> suffix) throws IOException {
        int pageSize = last.pageSize();
        DatabaseImage image = DatabaseImage.of(dbFile(), reader, all, pageSize);
        PageChecksums current = checksums(image, pageSize);
        if (suffix.isPresent()) {
            pos = last;
            return shipVerified(reader, all, suffix.get(), current, "resumed from the recorded WAL position");
        }
        Optional<PageChecksums> saved = journal.load(last);
        if (saved.isPresent() && current.samePages(saved.get())) {
            pos = last.withWal(resumePoint(all));
            crcs = current;
            log(System.Logger.Level.INFO, "resumed at TXID %x: database unchanged", last.txid());
            return SyncResult.idle(last.txid());
        }
        if (saved.isPresent() && !all.transactions().isEmpty() && fileMatches(pageSize, saved.get())) {
            pos = last.withWal(WalPosition.INITIAL);
            crcs = saved.get();
            return shipVerified(reader, all, all.transactions(), current,
                    "resumed: the database file holds the replicated state, the WAL continues it");
        }
        pos = last;
        return capture(image, current, saved.orElse(null), last.txid(), resumePoint(all),
                "WAL changed while not replicating (restarted, truncated or replaced)");
    }

    /** The transactions after {@code from}, when {@code from} still lies on a commit boundary of this WAL. */
    private static Optional<List<WalTransaction>> suffixAfter(WalReader reader, WalBatch all, WalPosition from)
            throws IOException {
        if (from.isInitial() || !continues(reader.read(from).stop())) {
            return Optional.empty();
        }
        List<WalTransaction> txs = all.transactions();
        if (all.header().isPresent() && all.header().get().sameSalts(from.salt1(), from.salt2())
                && from.offset() == WalHeader.SIZE) {
            return Optional.of(txs);
        }
        for (int i = 0; i < txs.size(); i++) {
            WalPosition end = txs.get(i).end();
            if (end.offset() == from.offset() && end.salt1() == from.salt1() && end.salt2() == from.salt2()) {
                return Optional.of(txs.subList(i + 1, txs.size()));
            }
        }
        return Optional.empty();
    }

    /** Where to read next when the state up to the end of {@code all} is shipped. */
    private static WalPosition resumePoint(WalBatch all) {
        if (!all.transactions().isEmpty()) {
            return all.end();
        }
        return all.header().map(WalPosition::start).orElse(WalPosition.INITIAL);
    }

    /** Whether the database file alone (ignoring the WAL) holds exactly the shipped pages, page by page. */
    private boolean fileMatches(int pageSize, PageChecksums shipped) throws IOException {
        return shipped != null && checksums(DatabaseImage.fileOnly(dbFile(), pageSize), pageSize).samePages(shipped);
    }

    /** Ships every committed transaction after the position (several files if over the size budget). */
    private SyncResult shipNew() throws IOException {
        SyncResult result = SyncResult.idle(pos.txid());
        try (WalReader reader = openWal()) {
            while (true) {
                WalBatch batch = reader.read(pos.wal(), maxFrames());
                if (batch.header().isPresent()) {
                    PageSizeMismatchException.check("the -wal", batch.header().get().pageSize(), pos.pageSize());
                }
                if (pos.wal().isInitial() && unprovenGap) {
                    unprovenGap = false; // a WAL header is checked against the database file by enterGeneration
                    if (batch.header().isEmpty() && !fileMatches(pos.pageSize(), crcs)) {
                        return result.plus(captureNow(reader, "committed and checkpointed while the database was "
                                + "opened again"));
                    }
                }
                if (pos.wal().isInitial() && batch.header().isPresent()) {
                    if (!enterGeneration(batch.header().get())) {
                        return result.plus(captureNow(reader,
                                "a new WAL generation began without proof that it continues what was shipped"));
                    }
                    batch = reader.read(pos.wal(), maxFrames());
                }
                if (!continues(batch.stop())) {
                    return result.plus(restartSeen(reader, batch));
                }
                if (batch.transactions().isEmpty()) {
                    return result;
                }
                result = result.plus(shipBatch(reader, batch));
                if (batch.stop().kind() != WalStop.Kind.LIMIT) {
                    // All of it. Like upstream, whose max-sync-ltx-files only splits a sync into passes that it
                    // repeats until nothing is left, a sync never leaves committed frames for the next one.
                    return result;
                }
            }
        }
    }

    /**
     * Accepts a new WAL generation read from its start: with our checkpoint's proof that it is the very next
     * generation after the shipped state, or when the database file alone holds the shipped state.
     */
    private boolean enterGeneration(WalHeader header) throws IOException {
        boolean ok = (proof != null && proof.isNextGeneration(header)) || fileMatches(pos.pageSize(), crcs);
        if (ok) {
            proof = null;
            refreshAfterRestart = true;
            pos = pos.withWal(WalPosition.start(header));
        }
        return ok;
    }

    /**
     * The WAL generation we were reading is gone. Continue only with proof that nothing was committed after what
     * we shipped; otherwise capture the current state.
     */
    private SyncResult restartSeen(WalReader reader, WalBatch seen) throws IOException {
        boolean proven = proof != null && proof.offset() == pos.wal().offset() && proof.salt1() == pos.wal().salt1()
                && proof.salt2() == pos.wal().salt2();
        if (proven) {
            // Our checkpoint left the WAL ending exactly at the shipped state; the generation check happens when
            // the next header is read (now, or after the truncated WAL gets its first frame).
            pos = pos.withWal(WalPosition.INITIAL);
            return shipNew();
        }
        return captureNow(reader, "WAL restarted without proof of continuity (" + seen.stop().message() + ")");
    }

    private SyncResult captureNow(WalReader reader, String why) throws IOException {
        WalBatch all = reader.read(WalPosition.INITIAL);
        DatabaseImage image = DatabaseImage.of(dbFile(), reader, all, pos.pageSize());
        PageChecksums current = checksums(image, pos.pageSize());
        if (!all.transactions().isEmpty() && fileMatches(pos.pageSize(), crcs)) {
            pos = pos.withWal(WalPosition.INITIAL);
            proof = null;
            refreshAfterRestart = true;
            return shipVerified(reader, all, all.transactions(), current,
                    "the database file holds the shipped state; shipping the new WAL generation on top");
        }
        refreshAfterRestart = true;
        return capture(image, current, crcs, pos.txid(), resumePoint(all), why);
    }

    /** Captures every page as a new restore chain after the shipped TXID (see {@link #startNewChain}). */
    private SyncResult captureNewChain(String why) throws IOException {
        try (WalReader reader = openWal()) {
            WalBatch all = reader.read(WalPosition.INITIAL);
            DatabaseImage image = DatabaseImage.of(dbFile(), reader, all, pos.pageSize());
            PageChecksums current = checksums(image, pos.pageSize());
            // The image read the WAL past our pinned snapshot; take a snapshot at its end.
            refreshAfterRestart = true;
            return capture(image, current, null, pos.txid(), resumePoint(all), why + ": starting a new restore chain",
                    true);
        }
    }

    private SyncResult shipVerified(WalReader reader, WalBatch all, List<WalTransaction> txs, PageChecksums current,
                                    String why) throws IOException {
        if (txs.isEmpty()) {
            crcs = current;
            pos = pos.withWal(resumePoint(all));
            log(System.Logger.Level.INFO, "%s at TXID %x", why, pos.txid());
            return SyncResult.idle(pos.txid());
        }
        WalBatch batch = new WalBatch(all.header(), txs, all.end(), all.stop());
        boolean known = crcs != null;
        SyncResult r = shipBatch(reader, batch);
        if (known && !crcs.samePages(current)) {
            // The shipped pages plus the recorded state should give the state we read; they do not, so ship the
            // difference as a capture rather than trusting either.
            log(System.Logger.Level.WARNING, "%s: replica state differs from the database after TXID %x", why,
                    pos.txid());
            DatabaseImage image = DatabaseImage.of(dbFile(), reader, all, pos.pageSize());
            return r.plus(capture(image, current, crcs, pos.txid(), pos.wal(), "state differed after resuming"));
        }
        crcs = current;
        pos = new Position(pos.txid(), current.rolling(), pos.pageSize(), pos.commit(), pos.wal());
        journal.save(pos, crcs);
        record();
        log(System.Logger.Level.INFO, "%s: shipped TXID %x", why, pos.txid());
        return r;
    }

    /** Uploads the batch's latest page versions as the next TXID and advances the position. */
    private SyncResult shipBatch(WalReader reader, WalBatch batch) throws IOException {
        List<WalTransaction> txs = batch.transactions();
        int commit = (int) txs.get(txs.size() - 1).commitSize();
        long txid = pos.txid() + 1;
        WalFrame first = txs.get(0).frames().get(0);
        long walEnd = txs.get(txs.size() - 1).end().offset();
        LtxPublisher file = LtxPublisher.of(target, pos.pageSize(), commit, txid, txid, clock.instant(),
                first.frameOffset(), walEnd - first.frameOffset(), first.salt1(), first.salt2());
        List<WalFrame> frames = batch.latestFrames().stream().filter(f -> f.pageNumber() <= commit).toList();
        byte[] page = new byte[pos.pageSize()];
        LtxFileRef ref = file.publish(sink -> {
            for (WalFrame f : frames) {
                reader.readPage(f, ByteBuffer.wrap(page));
                sink.page((int) f.pageNumber(), page);
            }
        }, frames.size());
        boolean known = crcs != null;
        if (!known) {
            // Only these pages are known until the caller (shipVerified) sets the whole map read from the database.
            crcs = new PageChecksums(pos.pageSize());
        }
        crcs.apply(file.crcs(), commit);
        pos = new Position(txid, crcs.rolling(), pos.pageSize(), commit, txs.get(txs.size() - 1).end());
        shippedSinceCheckpoint = true;
        if (known) {
            journal.append(pos, file.crcs(), crcs);
        } else {
            journal.invalidate(); // never save a partial map: it would be trusted later
        }
        record();
        listener.uploaded(ref);
        return new SyncResult(txid, 1, file.pages(), ref.size(), false, false);
    }

    /**
     * Uploads the current state as the next TXID: the pages whose checksum differs from {@code shipped}, or every
     * page when {@code shipped} is null (as a snapshot when the replica is empty).
     */
    private SyncResult capture(DatabaseImage image, PageChecksums current, PageChecksums shipped, long lastTxid,
                               WalPosition walEnd, String why) throws IOException {
        return capture(image, current, shipped, lastTxid, walEnd, why, false);
    }

    /**
     * {@link #capture(DatabaseImage, PageChecksums, PageChecksums, long, WalPosition, String)}, optionally starting a
     * new restore chain: every page is uploaded as a level-9 snapshot {@code 1..txid} first and then as the level-0
     * file {@code txid}, so both restore planners (ours and upstream's: the newest snapshot, then contiguous files)
     * start any restore at or after {@code txid} from this state and never apply it on top of the replica's older
     * history, which may have another page size or belong to another database. The snapshot goes first: if the
     * level-0 upload then fails, the replica is restorable already and the next attempt starts another chain.
     */
    private SyncResult capture(DatabaseImage image, PageChecksums current, PageChecksums shipped, long lastTxid,
                               WalPosition walEnd, String why, boolean newChain) throws IOException {
        int pageSize = pageSize();
        long txid = lastTxid + 1;
        long minTxid = lastTxid == 0 ? 1 : txid;
        boolean everyPage = shipped == null || minTxid == 1 || newChain;
        Instant now = clock.instant();
        LtxPublisher.PageSource all = sink -> {
            byte[] page = new byte[pageSize];
            for (int pgno = 1; pgno <= image.commit(); pgno++) {
                if (image.hasPage(pgno) && (everyPage || shipped.get(pgno) != current.get(pgno))) {
                    image.read(pgno, page);
                    sink.page(pgno, page);
                }
            }
        };
        long bytes = 0;
        int files = 0;
        if (newChain) {
            LtxFileRef snapshot = LtxPublisher.of(target, pageSize, image.commit(), 1, txid, now, 0, 0, 0, 0)
                    .withoutCrcs().atLevel(LtxFileRef.SNAPSHOT_LEVEL).publish(all, image.commit());
            listener.uploaded(snapshot);
            bytes += snapshot.size();
            files++;
        }
        // `current` holds every page's checksum already.
        LtxPublisher file = LtxPublisher.of(target, pageSize, image.commit(), minTxid, txid, now, 0, 0, 0, 0)
                .withoutCrcs();
        LtxFileRef ref = file.publish(all, image.commit());
        crcs = current;
        pos = new Position(txid, current.rolling(), pageSize, image.commit(), walEnd);
        proof = null;
        shippedSinceCheckpoint = true;
        journal.save(pos, crcs);
        record();
        listener.uploaded(ref);
        boolean snapshotToo = newChain;
        if (!newChain && lastTxid == 0 && snapshotFirstCapture) {
            // After the level-0 file, which starts the chain at TXID 1 and is durable already, as upstream orders
            // them: the replica is restorable one upload sooner, and a failed snapshot loses nothing.
            try {
                LtxFileRef snapshot = LtxPublisher.of(target, pageSize, image.commit(), 1, txid, now, 0, 0, 0, 0)
                        .withoutCrcs().atLevel(LtxFileRef.SNAPSHOT_LEVEL).publish(all, image.commit());
                listener.uploaded(snapshot);
                bytes += snapshot.size();
                files++;
                snapshotToo = true;
            } catch (IOException | RuntimeException e) {
                if (e instanceof java.io.InterruptedIOException
                        || e instanceof java.nio.channels.ClosedByInterruptException) {
                    Thread.currentThread().interrupt(); // a stop: keep its interrupt for the caller
                }
                log(System.Logger.Level.WARNING, "first snapshot 0000000000000001-%016x not uploaded (level 0 holds "
                        + "the same state; the scheduled snapshot follows): %s", txid, e.getMessage());
            }
        }
        // A delta against the shipped page checksums loses no data, only the granularity of the transactions made
        // while nobody watched; that is routine for a cold database in a fleet. A full capture is not.
        System.Logger.Level level = newChain || (lastTxid > 0 && shipped == null) ? System.Logger.Level.WARNING
                : lastTxid == 0 && quietFirstCapture ? System.Logger.Level.DEBUG : System.Logger.Level.INFO;
        log(level,
                "captured current state as TXID %x (%d of %d pages%s): %s", txid, file.pages(), image.commit(),
                snapshotToo ? ", also as snapshot " + String.format("%016x-%016x", 1, txid) : "", why);
        return new SyncResult(txid, files + 1, file.pages(), bytes + ref.size(), true, false);
    }

    private SyncResult checkpointIfDue() throws IOException {
        long frames = pos.wal().frameCount();
        Instant now = clock.instant();
        boolean due = shippedSinceCheckpoint && frames > 0 && (frames >= settings.minCheckpointPages()
                || !now.isBefore(lastCheckpoint.plus(settings.checkpointInterval())));
        if (!due) {
            return SyncResult.idle(pos.txid());
        }
        String mode = frames >= settings.truncatePages() ? "TRUNCATE" : "PASSIVE";
        try (SqliteSession.Checkpointer w = session.checkpointer(settings.checkpointBusyTimeout());
             WalReader reader = openWal()) {
            long before = w.snapshot();
            // The snapshot must be exactly the shipped state: nothing committed after the shipped position.
            WalBatch batch = reader.read(pos.wal(), 1);
            if (!continues(batch.stop()) || !batch.transactions().isEmpty()) {
                return SyncResult.idle(pos.txid()); // new commits or a restart: the next sync handles them first
            }
            long started = System.nanoTime();
            boolean ok = false;
            try {
                w.checkpoint(mode);
                ok = true;
            } finally {
                stats.checkpointed(DbStats.Mode.valueOf(mode), System.nanoTime() - started, !ok);
            }
            afterCheckpoint.run();
            lastCheckpoint = now;
            shippedSinceCheckpoint = false;
            // Pin the WAL again BEFORE reading data_version: a commit before our read lock bumps data_version (no
            // proof), and one after it can neither restart the WAL nor be checkpointed past our mark.
            session.beginRead();
            if (w.dataVersion() == before && batch.header().isPresent()) {
                proof = WalProof.of(batch.header().get(), pos.wal().offset());
            }
            return new SyncResult(pos.txid(), 0, 0, 0, false, true);
        } finally {
            if (!session.isReading()) {
                proof = null; // never keep a proof while unpinned
                session.beginRead();
            }
        }
    }

    private static boolean continues(WalStop stop) {
        return switch (stop.kind()) {
            case WAL_RESTARTED, WAL_SHORTER -> false;
            default -> true;
        };
    }

    private long maxFrames() {
        return Math.max(1, settings.maxSyncBytes() / (pos.pageSize() + 24L));
    }

    private PageChecksums checksums(DatabaseImage image, int pageSize) throws IOException {
        PageChecksums c = new PageChecksums(pageSize);
        Map<Integer, Long> all = new HashMap<>();
        byte[] page = new byte[pageSize];
        for (int pgno = 1; pgno <= image.commit(); pgno++) {
            if (image.hasPage(pgno)) {
                image.read(pgno, page);
                all.put(pgno, Checksums.page(pgno, page));
            }
        }
        c.apply(all, image.commit());
        return c;
    }

    /**
     * The database file, opened on first need and kept until the connection closes: closing any descriptor of the
     * database file drops every POSIX lock this process holds on it, the connection's shared lock included (which
     * would let another process's last close delete the WAL under us). Most opens never need it.
     */
    private DbFile dbFile() throws IOException {
        if (cold != null) {
            return cold;
        }
        if (dbFile == null) {
            dbFile = FileChannel.open(file, StandardOpenOption.READ);
            dbPages = DbFile.of(dbFile);
        }
        return dbPages;
    }

    /** The page size of the open database. */
    private int pageSize() {
        return cold != null ? cold.pageSize() : session.pageSize();
    }

    private WalReader openWal() throws IOException {
        return cold != null ? WalReader.absent(wal) : WalReader.open(wal);
    }

    private void record() throws IOException {
        WalPosition w = pos.wal();
        catalog.put(new ReplicaPosition(db.toString(), target.describe(), pos.txid(), pos.checksum(), pos.pageSize(),
                pos.commit(), new WalMark(w.offset(), w.salt1(), w.salt2(), w.checksum1(), w.checksum2(),
                        w.commitSize(), w.frameCount()), observed, clock.instant()));
        recordedPos = pos;
        recordedObserved = observed;
    }

    /**
     * Records unless the catalog holds this position and fingerprint already: a transient pass recorded its capture
     * moments before it closes, and a second commit (an fsync) per pass only restated it.
     */
    private void recordIfChanged() throws IOException {
        if (!pos.equals(recordedPos) || !FileStats.sameState(observed, recordedObserved)) {
            record();
        }
    }

    /** Size and mtime of the database and its WAL now. */
    public FileFingerprint fingerprint() {
        return fingerprint(FileStats.attributes(db));
    }

    private FileFingerprint fingerprint(BasicFileAttributes d) {
        return FileStats.fingerprint(d, FileStats.attributes(wal));
    }

    /**
     * Points {@link #file} and {@link #wal} at what {@code db} resolves to now. SQLite follows a symlinked database
     * to its target and keeps the {@code -wal} and {@code -shm} beside the target, not the link; the connection,
     * the database-file reads and the WAL reads of one session must all use that one file. {@code db} stays the
     * name (catalog key, replica, logs). A missing file resolves to itself, so opening it reports it missing.
     */
    private void resolveFile() {
        // Only a link as the last component moves the -wal: through a linked directory, the sibling of the name is
        // the sibling of the target (the same file), and a retargeted directory shows as another file key. So plain
        // names cost one lstat, not a realpath (a readlink and an lstat per component).
        try {
            file = Files.isSymbolicLink(db) ? db.toRealPath() : db;
        } catch (IOException e) {
            file = db; // missing or dangling: opening it reports it
        }
        wal = file.resolveSibling(file.getFileName() + "-wal");
    }

    /**
     * Whether {@code db}, which went through a symlink at open, resolves to another file now: a realpath per sync
     * for such databases only (plain paths cost nothing).
     */
    private boolean linkRetargeted() {
        if (file.equals(db)) {
            return false;
        }
        try {
            return !db.toRealPath().equals(file);
        } catch (IOException e) {
            return true; // dangling now: reopening reports the database missing
        }
    }

    private static WalPosition toWal(WalMark m) {
        if (m.offset() == 0) {
            return WalPosition.INITIAL;
        }
        return new WalPosition(m.offset(), m.salt1(), m.salt2(), m.checksum1(), m.checksum2(), m.commitSize(),
                m.frames());
    }

    private void log(System.Logger.Level level, String format, Object... args) {
        LOG.log(level, () -> db + ": " + String.format(format, args));
    }

    /**
     * Ships what is committed (best effort: on failure the WAL keeps it for the next start), then releases the
     * connection and file handles. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (session == null && cold == null) {
            return;
        }
        try {
            if (session != null) {
                observed = fingerprint();
                shipNew();
            } // else a cold copy: it is the state of the fingerprint taken before it; a later change differs from it
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
        closeShipped();
    }

    /**
     * Closes after a sync shipped what it found: records the position if the catalog does not hold it already, and
     * keeps the fingerprint taken before that sync read anything, so a commit since then differs from it and a fleet
     * scan comparing fingerprints sends the database through another pass.
     */
    private void closeShipped() throws IOException {
        try {
            recordIfChanged();
            if (journal.wantsRewrite()) {
                journal.save(pos, crcs); // compacts the journal while the database is not open
            }
        } finally {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            if (session != null) {
                session.close();
            }
        } catch (IOException e) {
            log(System.Logger.Level.WARNING, "closing: %s", e.getMessage());
        }
        session = null;
        cold = null;
        coldAllowed = false;
        try {
            if (dbFile != null) {
                dbFile.close(); // after the connection: closing it earlier would drop the connection's locks
            }
        } catch (IOException ignored) {
            // Closing a read-only channel cannot lose data.
        }
        dbFile = null;
        dbPages = null;
        proof = null;
        refreshAfterRestart = false;
        unprovenGap = false; // opening again establishes the position
        journal.invalidate();
        journal.release(); // the shared page-checksum store closes with its last holder
    }

    /** The WAL generation our own checkpoint proved to end exactly at what we shipped. */
    private record WalProof(int salt1, int salt2, int checkpointSequence, long offset) {
        static WalProof of(WalHeader h, long offset) {
            return new WalProof(h.salt1(), h.salt2(), h.checkpointSequence(), offset);
        }

        /**
         * SQLite increments salt-1 (shared through the wal-index) by one at each WAL restart. The checkpoint
         * sequence is the writing connection's own counter, so it proves nothing across connections.
         */
        boolean isNextGeneration(WalHeader h) {
            return h.salt1() == salt1 + 1;
        }
    }
}
