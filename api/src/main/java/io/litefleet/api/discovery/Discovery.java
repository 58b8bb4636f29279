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
    default void scan(Consumer<DiscoveredDatabase> sink) throws IOException {
        scan(sink, path -> false);
    }

    /**
     * As {@link #scan(Consumer)}, but never opens a file for which {@code verified} is true (the caller checked it
     * is a database before): only a stat is made. Needed because closing any descriptor of a file drops every POSIX
     * lock the process holds on it, so a header read would silently release the locks of the caller's own SQLite
     * connection to that database. Called on the scanning thread.
     */
    void scan(Consumer<DiscoveredDatabase> sink, java.util.function.Predicate<java.nio.file.Path> verified)
            throws IOException;

    /**
     * Checks one path against the patterns: the database there, or {@code null} when it does not match or is not
     * a SQLite database (anymore).
     */
    default DiscoveredDatabase probe(java.nio.file.Path path) throws IOException {
        return probe(path, true);
    }

    /**
     * As {@link #probe(java.nio.file.Path)}; with {@code readHeader} false the file is only stat-ed, never opened
     * (see {@link #scan(Consumer, java.util.function.Predicate)} for why that matters).
     */
    DiscoveredDatabase probe(java.nio.file.Path path, boolean readHeader) throws IOException;

    /**
     * The pattern and variables a path would have, from its text alone: the file is not touched and need not exist
     * (restoring a lost database by its path). The fingerprint is {@link FileFingerprint#ABSENT}; null when no
     * pattern matches.
     */
    DiscoveredDatabase match(java.nio.file.Path path);

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
