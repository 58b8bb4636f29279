package io.litefleet.core.restore;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a restore produced.
 *
 * @param txid     the TXID of the restored state
 * @param files    how many LTX files were applied
 * @param bytes    how many LTX bytes were read from the replica
 * @param duration how long it took, by the restorer's clock
 * @param stale    the applied files a stale owner wrote (cluster mode: a fencing token below an earlier file's, see
 *                 {@link io.litefleet.core.ltx.TokenOrder}), each as {@code <url>: <reason>}; empty normally
 */
public record RestoreResult(long txid, int files, long bytes, Duration duration, List<String> stale) {
    /** Validates. */
    public RestoreResult {
        Objects.requireNonNull(duration, "duration");
        stale = List.copyOf(stale);
        if (txid < 1 || files < 1 || bytes < 0) {
            throw new IllegalArgumentException("bad result: txid " + txid + ", files " + files + ", bytes " + bytes);
        }
    }

    /** A result with no stale files. */
    public RestoreResult(long txid, int files, long bytes, Duration duration) {
        this(txid, files, bytes, duration, List.of());
    }
}
