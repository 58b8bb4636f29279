package io.litefleet.core.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * One database's page checksums in the state directory, kept current as it ships: a whole map when it is captured,
 * opened or closed, one appended record per shipped TXID in between (see {@link PageChecksumStore}). Knows whether
 * what the directory holds is the map at the replicator's position, so the next TXID may be appended. Best effort:
 * a failed write only makes the saved map untrusted (a later capture reads the database instead). Not thread-safe.
 */
final class ChecksumJournal {
    private static final System.Logger LOG = System.getLogger(ChecksumJournal.class.getName());
    /** Journal bytes always allowed before the saved page checksums are rewritten whole. */
    private static final long MIN_BYTES = 64 * 1024;

    private final Path stateDir;
    private final Clock clock;
    /** The shared store while held (between the first use and {@link #release}). */
    private PageChecksumStore store;
    private final Path db;
    /** The store's key: the database and its destination. */
    private final String key;
    /** Whether the saved checksums are those of the position (so the next TXID can be appended). */
    private boolean current;
    private long bytes;

    ChecksumJournal(Path stateDir, Clock clock, Path db, String destination) {
        this.stateDir = stateDir;
        this.clock = clock;
        this.db = db;
        this.key = db + "\n" + destination;
    }

    /** The checksums saved for exactly {@code at}, if any; from then on the journal continues them. */
    Optional<PageChecksums> load(Position at) {
        PageChecksumStore s = store();
        if (s == null) {
            current = false;
            bytes = 0;
            return Optional.empty();
        }
        Optional<PageChecksumStore.Loaded> loaded = s.load(key, at.txid(), at.checksum(), at.pageSize())
                .or(() -> s.load(db.toString(), at.txid(), at.checksum(), at.pageSize()).map(l -> new PageChecksumStore
                        .Loaded(l.crcs(), false, 0))); // saved before destinations had their own (read only)
        current = loaded.map(PageChecksumStore.Loaded::appendable).orElse(false);
        bytes = loaded.map(PageChecksumStore.Loaded::journalBytes).orElse(0L);
        return loaded.map(PageChecksumStore.Loaded::crcs);
    }

    /** Saves every page checksum at {@code at} (only when {@code crcs} is the map of that position). */
    void save(Position at, PageChecksums crcs) {
        current = false;
        bytes = 0;
        if (crcs == null || crcs.rolling() != at.checksum()) {
            return;
        }
        PageChecksumStore s = store();
        if (s == null) {
            return;
        }
        try {
            s.save(key, at.txid(), at.checksum(), at.pageSize(), crcs);
            current = true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> db + ": saving page checksums: " + e.getMessage());
        }
    }

    /**
     * Records the pages TXID {@code at} changed (before the catalog records it): appended, or the whole map saved
     * when the saved one is not current or the journal has outgrown the map.
     */
    void append(Position at, Map<Integer, Long> changed, PageChecksums crcs) {
        if (!current || bytes > Math.max(MIN_BYTES, 8L * crcs.pages())) {
            save(at, crcs);
            return;
        }
        PageChecksumStore s = store();
        try {
            if (s == null) {
                throw new IOException("no store");
            }
            bytes += s.append(key, at.txid(), at.checksum(), at.commit(), changed);
        } catch (IOException e) {
            current = false;
            LOG.log(System.Logger.Level.DEBUG, () -> db + ": appending page checksums: " + e.getMessage());
        }
    }

    /**
     * The shared store, acquired at first use; null when it cannot be opened (nothing is then saved, and a failed
     * open is not retried before its time limit).
     */
    private PageChecksumStore store() {
        if (store == null) {
            store = PageChecksumStore.tryAcquire(stateDir, clock);
        }
        return store;
    }

    /** Gives the shared store back (it is acquired again at the next use). Idempotent. */
    void release() {
        if (store != null) {
            store.release();
            store = null;
        }
    }

    /** The saved map no longer matches the position (a partial map in memory, a reopened connection). */
    void invalidate() {
        current = false;
    }

    /** Whether a close should rewrite the map whole (a journal to fold in, or nothing current saved). */
    boolean wantsRewrite() {
        return bytes > 0 || !current;
    }

    /** What {@link #invalidate} would forget, to put back when the position did not change (a re-pin). */
    State state() {
        return new State(current, bytes);
    }

    void restore(State s) {
        current = s.current();
        bytes = s.bytes();
    }

    /** See {@link #state()}. */
    record State(boolean current, long bytes) {
    }
}
