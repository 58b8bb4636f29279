package io.litefleet.core.restore;

import java.time.Instant;
import java.util.Objects;
import io.litefleet.core.replica.LtxFileRef;

/** What state to restore: the latest, the state after a TXID, or the state at a moment in time. */
public sealed interface RestoreTarget {
    /** The latest state the replica holds. */
    record Latest() implements RestoreTarget {
    }

    /**
     * The state right after transaction {@code txid}.
     *
     * @param txid at least 1
     */
    record AtTxid(long txid) implements RestoreTarget {
        /** Validates. */
        public AtTxid {
            if (txid < 1) {
                throw new IllegalArgumentException("txid must be >= 1: " + txid);
            }
        }
    }

    /**
     * The state including every transaction committed at or before {@code time}.
     *
     * @param time the moment
     */
    record AtTime(Instant time) implements RestoreTarget {
        /** Validates. */
        public AtTime {
            Objects.requireNonNull(time, "time");
        }
    }

    /** The latest state. */
    static RestoreTarget latest() {
        return new Latest();
    }

    /** Whether a file lies entirely within this target. */
    default boolean admits(LtxFileRef f) {
        return switch (this) {
            case Latest l -> true;
            case AtTxid t -> f.maxTxid() <= t.txid();
            case AtTime t -> !f.createdAt().isAfter(t.time());
        };
    }
}
