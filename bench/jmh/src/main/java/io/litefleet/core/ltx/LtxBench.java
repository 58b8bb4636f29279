package io.litefleet.core.ltx;

import io.litefleet.bench.jmh.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The LTX side of a capture, over {@code mib} MiB of database pages that SQLite wrote (see {@link Fixtures}):
 * <ul>
 *   <li>{@link #encode}: {@link LtxEncoder} writing every page as one level-0 file in the mode the publisher
 *       uses (no rolling checksum), into a reused in-memory buffer as the publisher's scratch buffer does. Per
 *       page that is an LZ4 block compression (lz4-java's pure-Java fast compressor), the CRC-64 of the frame
 *       prefix and the page, and the copy into the buffer; then the page index and trailer. Floor
 *       {@link #encodeFloorCopy}: copying the same pages into the same buffer.</li>
 *   <li>{@link #crc64}: {@link Crc64} (slicing-by-8, the LTX file and page checksum) over the same bytes.
 *       Floors: the JDK's {@link CRC32C} and {@link CRC32}, which the JIT turns into CPU instructions; a CRC
 *       cannot go faster than those, so the ratio says how far a pure-Java CRC-64 is from that.</li>
 * </ul>
 * One operation processes all {@code mib} MiB; run.sh turns operations per second into MiB/s. The setup checks
 * that the encoded file verifies ({@link LtxVerifier}) and holds every page.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class LtxBench {
    /** MiB of page data per operation. */
    @Param({"4"})
    public int mib;

    private byte[][] pages;
    private byte[] flat;
    private LtxHeader header;
    private Sink sink;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        int count = (mib << 20) / Fixtures.PAGE_SIZE;
        Path dir = Fixtures.tempDir();
        try {
            pages = Fixtures.pages(dir, count);
        } finally {
            Fixtures.deleteTree(dir);
        }
        flat = new byte[count * Fixtures.PAGE_SIZE];
        for (int i = 0; i < count; i++) {
            System.arraycopy(pages[i], 0, flat, i * Fixtures.PAGE_SIZE, Fixtures.PAGE_SIZE);
        }
        header = LtxHeader.builder().noChecksum(true).pageSize(Fixtures.PAGE_SIZE).commit(count).txids(2, 2)
                .timestamp(0).build();
        // Worst case: every page stored as an LZ4 block larger than the page, plus header, index and trailer.
        sink = new Sink(count * (PageFrames.PREFIX_SIZE + new PageFrames(Fixtures.PAGE_SIZE).maxCompressedSize())
                + count * 24 + 1024);
        checkFixture(count);
    }

    private void checkFixture(int count) throws IOException {
        encode();
        LtxVerification v = LtxVerifier.verify(new ByteArrayInputStream(sink.buffer, 0, sink.size));
        if (!v.isValid() || v.pageCount() != count) {
            throw new IllegalStateException("the encoded file does not verify: " + v);
        }
    }

    /** The production encoder over all pages. */
    @Benchmark
    public int encode() throws IOException {
        sink.size = 0;
        LtxEncoder enc = LtxEncoder.open(sink, header);
        for (int i = 0; i < pages.length; i++) {
            enc.writePage(i + 1, pages[i]);
        }
        enc.finish();
        return sink.size;
    }

    /** Floor of {@link #encode}: the same pages copied into the same buffer. */
    @Benchmark
    public int encodeFloorCopy() {
        sink.size = 0;
        for (byte[] page : pages) {
            sink.write(page, 0, page.length);
        }
        return sink.size;
    }

    /** The LTX CRC-64 over all bytes. */
    @Benchmark
    public long crc64() {
        return Checksums.crc64(flat, 0, flat.length);
    }

    /** Floor of {@link #crc64}: the JDK's CRC32C (hardware instructions) over the same bytes. */
    @Benchmark
    public long crc64FloorCrc32c() {
        CRC32C c = new CRC32C();
        c.update(flat, 0, flat.length);
        return c.getValue();
    }

    /** Floor of {@link #crc64}: the JDK's CRC32 (carry-less multiply instructions) over the same bytes. */
    @Benchmark
    public long crc64FloorCrc32() {
        CRC32 c = new CRC32();
        c.update(flat, 0, flat.length);
        return c.getValue();
    }

    /** A reused in-memory output, like the publisher's scratch buffer, without its growth. */
    private static final class Sink extends OutputStream {
        final byte[] buffer;
        int size;

        Sink(int capacity) {
            buffer = new byte[capacity];
        }

        @Override
        public void write(int b) {
            buffer[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.arraycopy(b, off, buffer, size, len);
            size += len;
        }
    }
}
