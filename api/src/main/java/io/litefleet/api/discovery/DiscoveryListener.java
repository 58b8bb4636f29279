package io.litefleet.api.discovery;

import java.nio.file.Path;

/** Receives change notices from a {@link Discovery} watch. Called from the discovery's own thread; must not block. */
public interface DiscoveryListener {
    /** Something at {@code path} (a database, its {@code -wal}, or a directory that may hold some) changed. */
    void changed(Path path);

    /**
     * Events were lost (the event queue overflowed): the caller should scan everything now, and at its short
     * interval until watching has been quiet for a while.
     *
     * @param reason why, for the log
     */
    void overflowed(String reason);

    /**
     * Watching no longer covers everything, for good (the watch table is full, so new directories go unwatched, or
     * the watch stopped): the caller should scan everything now and keep scanning at its short interval. The default
     * treats it as {@link #overflowed}.
     *
     * @param reason why, for the log
     */
    default void incomplete(String reason) {
        overflowed(reason);
    }
}
