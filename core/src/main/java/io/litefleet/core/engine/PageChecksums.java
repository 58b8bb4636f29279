package io.litefleet.core.engine;

import io.litefleet.core.ltx.Checksums;
import java.util.Arrays;

/**
 * The CRC of every page of a hot database's last shipped state, and their rolling XOR (the LTX database
 * checksum). Lets each sync compute the post-apply checksum from the changed pages alone. 8 bytes per page,
 * only while the database is hot. Not thread-safe.
 */
final class PageChecksums {
    private long[] crcs = new long[0];
    private int pages;
    private long rolling = Checksums.EMPTY_DATABASE;
    private int lockPgno;

    /** An empty database with the given page size. */
    PageChecksums(int pageSize) {
        this.lockPgno = io.litefleet.core.ltx.LtxHeader.lockPgno(pageSize);
    }

    /** The rolling checksum of the whole database. */
    long rolling() {
        return rolling;
    }

    /** Pages in the database. */
    int pages() {
        return pages;
    }

    /** Sets page {@code pgno}'s CRC (growing the database if needed). The lock page is never counted. */
    void set(int pgno, long crc) {
        if (pgno == lockPgno) {
            return;
        }
        ensure(pgno);
        long old = crcs[pgno - 1];
        if (old != 0) {
            rolling = Checksums.combine(rolling, old);
        }
        crcs[pgno - 1] = crc;
        rolling = Checksums.combine(rolling, crc);
        pages = Math.max(pages, pgno);
    }

    /** Shrinks or grows the database to {@code commit} pages; dropped pages leave the rolling checksum. */
    void resize(int commit) {
        for (int p = commit + 1; p <= pages; p++) {
            long old = crcs[p - 1];
            if (old != 0) {
                rolling = Checksums.combine(rolling, old);
                crcs[p - 1] = 0;
            }
        }
        ensure(Math.max(commit, 1));
        pages = commit;
    }

    /** A deep copy, for computing a sync's result without touching the committed state. */
    PageChecksums copy() {
        PageChecksums c = new PageChecksums(512);
        c.crcs = Arrays.copyOf(crcs, crcs.length);
        c.pages = pages;
        c.rolling = rolling;
        c.lockPgno = lockPgno;
        return c;
    }

    private void ensure(int pgno) {
        if (pgno > crcs.length) {
            crcs = Arrays.copyOf(crcs, Math.max(pgno, crcs.length + (crcs.length >> 1) + 16));
        }
    }
}
