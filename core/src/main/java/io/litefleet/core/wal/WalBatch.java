package io.litefleet.core.wal;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of one {@link WalReader#read(WalPosition, long)}: the header found, the complete committed
 * transactions after the start position in WAL order, the position to resume from and why reading stopped.
 *
 * @param header       the header as read this time; empty if missing, torn or invalid
 * @param transactions complete committed transactions, unmodifiable, possibly empty
 * @param end          position after the last returned transaction; the start position if none was returned
 * @param stop         where and why reading stopped
 */
public record WalBatch(Optional<WalHeader> header, List<WalTransaction> transactions, WalPosition end,
        WalStop stop) {
    /** Checks for nulls and copies the list. */
    public WalBatch {
        Objects.requireNonNull(header, "header");
        transactions = List.copyOf(transactions);
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(stop, "stop");
    }

    /** The latest frame of every page across all transactions; see {@link WalFrames#latestPerPage(List)}. */
    public List<WalFrame> latestFrames() {
        return WalFrames.latestPerPage(transactions);
    }
}
