package io.litefleet.core.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalFramesTest {
    private static final int PAGE = 4096;
    private long offset = 32;
    private long frames;

    /** A transaction of the given pages, committing at {@code dbSize}, at the next WAL offsets. */
    private WalTransaction tx(long dbSize, long... pages) {
        List<WalFrame> list = new ArrayList<>();
        for (long page : pages) {
            list.add(new WalFrame(page, offset + 24, 1, 2, PAGE));
            offset += 24 + PAGE;
            frames++;
        }
        return new WalTransaction(list, dbSize, new WalPosition(offset, 1, 2, 0, 0, dbSize, frames));
    }

    private static List<Long> pageNumbers(List<WalFrame> frames) {
        return frames.stream().map(WalFrame::pageNumber).toList();
    }

    @Test
    void latestPerPage_pageWrittenTwice_keepsLaterFrameSortedByPage() {
        WalTransaction a = tx(5, 5, 1, 3);
        WalTransaction b = tx(5, 3, 2, 3);
        List<WalFrame> latest = WalFrames.latestPerPage(List.of(a, b));
        assertEquals(List.of(1L, 2L, 3L, 5L), pageNumbers(latest));
        assertEquals(b.frames().get(2), latest.get(2), "the last frame of page 3 wins, even within a transaction");
        assertEquals(a.frames().get(0), latest.get(3));
    }

    @Test
    void latestPerPage_databaseShrinks_dropsPagesBeyondCommitSizeUnlessRewritten() {
        WalTransaction grow = tx(8, 1, 6, 7, 8);
        WalTransaction shrink = tx(4, 1);
        WalTransaction regrow = tx(7, 1, 7);
        assertEquals(List.of(1L), pageNumbers(WalFrames.latestPerPage(List.of(grow, shrink))));
        List<WalFrame> latest = WalFrames.latestPerPage(List.of(grow, shrink, regrow));
        assertEquals(List.of(1L, 7L), pageNumbers(latest));
        assertEquals(regrow.frames().get(1), latest.get(1));
    }

    @Test
    void latestPerPage_noTransactions_empty() {
        assertEquals(List.of(), WalFrames.latestPerPage(List.of()));
    }
}
