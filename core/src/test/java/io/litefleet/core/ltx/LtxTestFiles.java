package io.litefleet.core.ltx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

/** Builds pages and small LTX files for tests. */
final class LtxTestFiles {
    private LtxTestFiles() {
    }

    /** A seed for this run, printed so a failure can be replayed with -Dltx.seed=... */
    static long seed(String test) {
        String fixed = System.getProperty("ltx.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(test + ": seed=" + seed + " (replay with -Dltx.seed=" + seed + ")");
        return seed;
    }

    static byte[] randomPage(SplittableRandom rnd, int pageSize) {
        byte[] b = new byte[pageSize];
        for (int i = 0; i < pageSize; i += 8) {
            long v = rnd.nextLong();
            for (int k = 0; k < 8; k++) {
                b[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return b;
    }

    /** Pages 1..n (skipping the lock page), random. */
    static byte[][] randomPages(SplittableRandom rnd, int pageSize, int n) {
        byte[][] pages = new byte[n + 1][];
        for (int pgno = 1; pgno <= n; pgno++) {
            pages[pgno] = randomPage(rnd, pageSize);
        }
        return pages;
    }

    /** A snapshot holding pages[1..] with rolling checksums tracked. */
    static byte[] snapshot(int pageSize, byte[][] pages) throws IOException {
        LtxHeader h = LtxHeader.builder().pageSize(pageSize).commit(pages.length - 1).txids(1, 1)
                .timestamp(1_700_000_000_123L).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LtxEncoder enc = LtxEncoder.open(out, h);
        for (int pgno = 1; pgno < pages.length; pgno++) {
            enc.writePage(pgno, pages[pgno]);
        }
        enc.finish();
        return out.toByteArray();
    }
}
