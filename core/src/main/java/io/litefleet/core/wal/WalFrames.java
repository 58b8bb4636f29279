package io.litefleet.core.wal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Operations on frames across transactions. Stateless and thread-safe. */
public final class WalFrames {
    private WalFrames() {
    }

    /**
     * Collapses a run of consecutive transactions to the last frame of each page, sorted by page number, leaving
     * out pages beyond a later transaction's commit size (the database shrank, e.g. by {@code VACUUM}). Applying
     * the result to the database as it was before the first transaction gives the state after the last one.
     *
     * @param transactions consecutive transactions in WAL order; may be empty
     * @return an unmodifiable list, empty if {@code transactions} is
     */
    public static List<WalFrame> latestPerPage(List<WalTransaction> transactions) {
        if (transactions.isEmpty()) {
            return List.of();
        }
        Map<Long, WalFrame> latest = new HashMap<>();
        long highest = 0;
        for (WalTransaction tx : transactions) {
            for (WalFrame frame : tx.frames()) {
                latest.put(frame.pageNumber(), frame);
                highest = Math.max(highest, frame.pageNumber());
            }
            // A commit that shrinks the database drops the pages beyond its size; a later one re-adds what it writes.
            if (tx.commitSize() < highest) {
                latest.keySet().removeIf(page -> page > tx.commitSize());
                highest = tx.commitSize();
            }
        }
        List<WalFrame> result = new ArrayList<>(latest.values());
        result.sort((a, b) -> Long.compare(a.pageNumber(), b.pageNumber()));
        return List.copyOf(result);
    }
}
