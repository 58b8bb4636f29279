package io.litefleet.core.engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Keeps a state directory's page-checksum store ({@code pages.db}) open while a process replicates, so that
 * replicators opened and closed meanwhile (a fleet's transient passes) share one connection instead of opening the
 * file each time. Replicators work without it. Not thread-safe; close it once.
 */
public final class PageChecksumHold implements AutoCloseable {
    private PageChecksumStore store;

    private PageChecksumHold(PageChecksumStore store) {
        this.store = store;
    }

    /** Opens (or joins) the store of {@code stateDir}, moving in the page-checksum files of earlier versions. */
    public static PageChecksumHold open(Path stateDir) throws IOException {
        return new PageChecksumHold(PageChecksumStore.acquire(stateDir));
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
