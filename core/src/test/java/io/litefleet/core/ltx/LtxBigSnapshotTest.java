package io.litefleet.core.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A 200 MiB snapshot streams through the encoder and, concurrently, the decoder without holding the file. */
class LtxBigSnapshotTest {
    private static final int PAGE_SIZE = 4096;
    private static final int PAGES = 200 * 1024 * 1024 / PAGE_SIZE;
    private static final long HEAP_GROWTH_LIMIT = 48L << 20;

    @Test
    void encodeDecode_200MiBSnapshotThroughPipe_heapStaysBoundedAndCountsMatch() throws Exception {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("encodeDecode_200MiBSnapshot"));
        long baseline = usedHeapAfterGc();
        PipedInputStream pipeIn = new PipedInputStream(1 << 20);
        ExecutorService decoderThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "litefleet-test-decoder"));
        CountingStream counted = new CountingStream(new PipedOutputStream(pipeIn));
        try {
            CompletableFuture<LtxDecoder> decoded = CompletableFuture.supplyAsync(() -> decodeAll(pipeIn),
                    decoderThread);
            LtxHeader h = LtxHeader.builder().pageSize(PAGE_SIZE).commit(PAGES).timestamp(1).build();
            LtxEncoder enc = LtxEncoder.open(counted, h);
            long peakGrowth = 0;
            byte[] page = new byte[PAGE_SIZE];
            for (int pgno = 1; pgno <= PAGES; pgno++) {
                fill(rnd, page, pgno);
                enc.writePage(pgno, page);
                if (pgno % 10_000 == 0) {
                    peakGrowth = Math.max(peakGrowth, usedHeapAfterGc() - baseline);
                }
            }
            LtxTrailer trailer = enc.finish();
            counted.close();
            LtxDecoder dec = decoded.get(5, TimeUnit.MINUTES);

            assertTrue(counted.count > PAGES * (long) PAGE_SIZE / 2, "wrote only " + counted.count + " bytes");
            assertEquals(counted.count, enc.bytesWritten());
            assertEquals(counted.count, dec.bytesRead());
            assertEquals(PAGES, dec.pageCount());
            assertEquals(trailer, dec.finish());
            assertTrue(peakGrowth < HEAP_GROWTH_LIMIT, "heap grew by " + (peakGrowth >> 20) + " MiB while streaming "
                    + (counted.count >> 20) + " MiB");
        } finally {
            counted.close();
            decoderThread.shutdownNow();
        }
    }

    /** Half random, half mostly-zero pages: a realistic mix that still yields well over 100 MiB. */
    private static void fill(SplittableRandom rnd, byte[] page, int pgno) {
        if (pgno % 2 == 0) {
            byte[] r = LtxTestFiles.randomPage(rnd, PAGE_SIZE);
            System.arraycopy(r, 0, page, 0, PAGE_SIZE);
        } else {
            java.util.Arrays.fill(page, (byte) 0);
            PageFrames.putInt(page, 0, pgno);
        }
    }

    private static LtxDecoder decodeAll(PipedInputStream in) {
        try {
            LtxDecoder dec = LtxDecoder.open(in);
            dec.finish();
            return dec;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }
    }
}
