package io.litefleet.core.engine;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Keeps a state directory's page-checksum store ({@code pages.db}) open while a process replicates, so that
 * replicators opened and closed meanwhile (a fleet's transient passes) share one connection instead of opening the
 * file each time. Replicators work without it: a store that cannot be opened is logged, not thrown (the daemon runs,
 * each capture reads its database whole). Not thread-safe; close it once.
 */
public final class PageChecksumHold implements AutoCloseable {
    private PageChecksumStore store;

    private PageChecksumHold(PageChecksumStore store) {
        this.store = store;
    }

    /**
     * Opens (or joins) the store of {@code stateDir}, moving in the page-checksum files of earlier versions; a hold of
     * nothing when it cannot be opened (logged, and not tried again before a time limit on {@code clock}).
     */
    public static PageChecksumHold open(Path stateDir, Clock clock) {
        return new PageChecksumHold(PageChecksumStore.tryAcquire(stateDir, clock));
    }

    /** Whether the store is open and held. */
    boolean holds() {
        return store != null;
    }

    /** Gives the store back; the last holder closes it. Idempotent. */
    @Override
    public void close() {
        if (store != null) {
            store.release();
            store = null;
        }
    }
}
