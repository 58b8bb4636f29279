package io.litefleet.api.discovery;

import java.nio.file.Path;

/** Receives change notices from a {@link Discovery} watch. Called from the discovery's own thread; must not block. */
public interface DiscoveryListener {
    /** Something at {@code path} (a database, its {@code -wal}, or a directory that may hold some) changed. */
    void changed(Path path);

    /**
     * Events were lost (queue overflow, or watches ran out): the caller should fall back to a full scan.
     *
     * @param reason why, for the log
     */
    void overflowed(String reason);
}
