package io.litefleet.core.replica;

import java.util.concurrent.atomic.LongAdder;

/**
 * LTX files found written by a stale owner (cluster mode: a fencing token lower than one the replica path already
 * had), counted for the whole process by where they were found. The metrics endpoint reads the totals; the label
 * set is closed. Thread-safe.
 */
public final class StaleFiles {
    /** Where a stale file was found. */
    public enum Where {
        /** A conditional create found it under the key it was about to write (and replaced it). */
        UPLOAD,
        /** Compaction found it among its inputs (and did not merge across it). */
        COMPACTION,
        /** A restore or {@code verify} found it along the chain it read. */
        RESTORE
    }

    private static final LongAdder[] COUNTS = {new LongAdder(), new LongAdder(), new LongAdder()};

    private StaleFiles() {
    }

    /** Counts one stale file found at {@code where}. */
    public static void count(Where where) {
        COUNTS[where.ordinal()].increment();
    }

    /** Stale files found at {@code where} since the process started. */
    public static long total(Where where) {
        return COUNTS[where.ordinal()].sum();
    }
}
