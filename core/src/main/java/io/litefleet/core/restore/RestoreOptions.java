package io.litefleet.core.restore;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to restore.
 *
 * @param output        the database file to create; its temp file is {@code <output>.tmp} beside it
 * @param overwrite     replace an existing output (and remove its {@code -wal}, {@code -shm} and {@code -journal});
 *                      otherwise an existing output is refused
 * @param parallelism   how many files download at once, at least 1
 * @param prefetchBytes how many bytes of downloaded files may wait in memory; larger files are streamed instead
 * @param check         the SQLite check the restored file passes before it is installed ({@link IntegrityCheck#FULL}
 *                      unless asked otherwise)
 * @param forReaders    install the database with the header follow mode serves to readers (rollback-journal mode;
 *                      {@link Follower}), instead of exactly the header the replica holds
 */
public record RestoreOptions(Path output, boolean overwrite, int parallelism, long prefetchBytes,
        IntegrityCheck check, boolean forReaders) {
    /** Upstream's default download parallelism. */
    public static final int DEFAULT_PARALLELISM = 8;
    /** Default memory for prefetched files. */
    public static final long DEFAULT_PREFETCH_BYTES = 64L << 20;

    /** Validates. */
    public RestoreOptions {
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(check, "check");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1: " + parallelism);
        }
        if (prefetchBytes < 0) {
            throw new IllegalArgumentException("prefetchBytes must be >= 0: " + prefetchBytes);
        }
    }

    /** Defaults for {@code output}: no overwrite, parallelism 8, 64 MiB of prefetch, a full integrity check. */
    public static RestoreOptions of(Path output) {
        return new RestoreOptions(output, false, DEFAULT_PARALLELISM, DEFAULT_PREFETCH_BYTES, IntegrityCheck.FULL, false);
    }

    /** These options with {@code overwrite}. */
    public RestoreOptions withOverwrite(boolean v) {
        return new RestoreOptions(output, v, parallelism, prefetchBytes, check, forReaders);
    }

    /** These options with {@code parallelism}. */
    public RestoreOptions withParallelism(int v) {
        return new RestoreOptions(output, overwrite, v, prefetchBytes, check, forReaders);
    }

    /** These options with {@code prefetchBytes}. */
    public RestoreOptions withPrefetchBytes(long v) {
        return new RestoreOptions(output, overwrite, parallelism, v, check, forReaders);
    }

    /** These options with {@code check}. */
    public RestoreOptions withCheck(IntegrityCheck v) {
        return new RestoreOptions(output, overwrite, parallelism, prefetchBytes, v, forReaders);
    }

    /** These options with {@code forReaders}. */
    public RestoreOptions withForReaders(boolean v) {
        return new RestoreOptions(output, overwrite, parallelism, prefetchBytes, check, v);
    }
}
