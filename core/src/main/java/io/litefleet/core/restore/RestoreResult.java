package io.litefleet.core.restore;

import java.time.Duration;
import java.util.Objects;

/**
 * What a restore produced.
 *
 * @param txid     the TXID of the restored state
 * @param files    how many LTX files were applied
 * @param bytes    how many LTX bytes were read from the replica
 * @param duration how long it took, by the restorer's clock
 */
public record RestoreResult(long txid, int files, long bytes, Duration duration) {
    /** Validates. */
    public RestoreResult {
        Objects.requireNonNull(duration, "duration");
        if (txid < 1 || files < 1 || bytes < 0) {
            throw new IllegalArgumentException("bad result: txid " + txid + ", files " + files + ", bytes " + bytes);
        }
    }
}
