package io.litefleet.core.wal;

import java.util.List;

/**
 * One complete committed transaction: its frames in WAL order (the last is the commit frame; a page may appear
 * more than once, the later frame wins), the database size after it, and the position right after it.
 *
 * @param frames     the frames, never empty, unmodifiable
 * @param commitSize database size in pages after this transaction
 * @param end        position after the commit frame; resuming there continues with the next transaction
 */
public record WalTransaction(List<WalFrame> frames, long commitSize, WalPosition end) {
    /** Copies the frame list and checks that the transaction is non-empty and ends at a commit. */
    public WalTransaction {
        frames = List.copyOf(frames);
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a transaction has at least its commit frame");
        }
        if (commitSize < 1 || commitSize != end.commitSize()) {
            throw new IllegalArgumentException("commit size " + commitSize + " does not match " + end);
        }
    }
}
