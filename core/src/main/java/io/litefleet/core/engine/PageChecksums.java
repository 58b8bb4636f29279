package io.litefleet.core.engine;

import io.litefleet.core.ltx.Checksums;
import io.litefleet.core.ltx.LtxHeader;
import java.util.Arrays;
import java.util.Map;

/**
 * The CRC of every page of a hot database's last shipped state, and their rolling XOR (the LTX database
 * checksum). Lets each sync compute the new database checksum from the changed pages alone, and lets a capture
 * upload only the pages that differ. 8 bytes per page, only while the database is hot. Not thread-safe.
 */
final class PageChecksums {
    private long[] crcs = new long[0];
    private int pages;
    private long rolling = Checksums.EMPTY_DATABASE;
    private final int lockPgno;

    /** An empty database with the given page size. */
    PageChecksums(int pageSize) {
        this.lockPgno = LtxHeader.lockPgno(pageSize);
    }

    /** The rolling checksum of the whole database. */
    long rolling() {
        return rolling;
    }

    /** Pages in the database. */
    int pages() {
        return pages;
    }

    /** Page {@code pgno}'s CRC, 0 if beyond the end (or the lock page). */
    long get(int pgno) {
        return pgno >= 1 && pgno <= pages ? crcs[pgno - 1] : 0;
    }

    /** Whether both hold the same number of pages with the same CRC each (the rolling XOR alone is not enough). */
    boolean samePages(PageChecksums other) {
        if (other.pages != pages) {
            return false;
        }
        for (int p = 1; p <= pages; p++) {
            if (get(p) != other.get(p)) {
                return false;
            }
        }
        return true;
    }

    /** The rolling checksum after {@link #apply} with the same arguments, without changing anything. */
    long rollingAfter(Map<Integer, Long> changed, int commit) {
        long r = rolling;
        for (int p = commit + 1; p <= pages; p++) {
            r = xorOut(r, crcs[p - 1]);
        }
        for (Map.Entry<Integer, Long> e : changed.entrySet()) {
            int p = e.getKey();
            if (p == lockPgno || p > commit) {
                continue;
            }
            r = xorOut(r, get(p));
            r = Checksums.combine(r, e.getValue());
        }
        return r;
    }

    /** Resizes to {@code commit} pages and sets the changed pages' CRCs. */
    void apply(Map<Integer, Long> changed, int commit) {
        rolling = rollingAfter(changed, commit);
        if (commit > crcs.length) {
            crcs = Arrays.copyOf(crcs, Math.max(commit, crcs.length + (crcs.length >> 1)));
        }
        for (int p = commit + 1; p <= pages; p++) {
            crcs[p - 1] = 0;
        }
        pages = commit;
        for (Map.Entry<Integer, Long> e : changed.entrySet()) {
            int p = e.getKey();
            if (p != lockPgno && p <= commit) {
                crcs[p - 1] = e.getValue();
            }
        }
    }

    private static long xorOut(long rolling, long crc) {
        return crc == 0 ? rolling : Checksums.combine(rolling, crc);
    }
}
