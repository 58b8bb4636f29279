package io.litefleet.api.discovery;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Finds databases. Created by a {@link DiscoveryProvider}; the creator closes it. Thread-safe.
 */
public interface Discovery extends AutoCloseable {

    /**
     * Walks only the directories the configured patterns can match and reports every SQLite database found.
     * Unreadable directories are skipped and reported through the log, never fatal.
     */
    void scan(Consumer<DiscoveredDatabase> sink) throws IOException;

    /**
     * Checks one path against the patterns: the database there, or {@code null} when it does not match or is not
     * a SQLite database (anymore).
     */
    DiscoveredDatabase probe(java.nio.file.Path path) throws IOException;

    /**
     * Starts watching for changes, if this discovery can. The listener runs on a thread owned by the discovery
     * until {@link #close()}.
     *
     * @return false when watching is unavailable; the caller then relies on periodic scans
     */
    boolean watch(DiscoveryListener listener) throws IOException;

    /**
     * For each configured pattern (as written), the variable names its matches carry, in pattern order, using the
     * key convention of {@link DiscoveredDatabase#variables()}. Lets a replica-path template be validated before
     * anything is discovered.
     */
    java.util.Map<String, java.util.List<String>> variableNames();

    /** Stops watching and releases watch descriptors. Idempotent. */
    @Override
    void close();
}
