package io.litefleet.core.wal;

import io.litefleet.bench.jmh.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * The WAL side of a capture, over a {@code -wal} that SQLite wrote (in the page cache: the scan reads what the
 * application has just written):
 * <ul>
 *   <li>{@link #scan}: {@link WalReader#read} from the start, the production path: a positional read per frame,
 *       salts, the cumulative checksum chain, transactions grouped at their commit frames. Floor
 *       {@link #scanFloorRead}: reading the same file with plain 64 KiB positional reads and nothing else.</li>
 *   <li>{@link #checksum}: {@link WalChecksum} alone, chained over every frame (8 header bytes and the page) of
 *       the same WAL held in memory, as {@code FrameScan} calls it. Floor {@link #checksumFloorCopy}: copying the
 *       same bytes.</li>
 * </ul>
 * One operation processes the whole WAL, {@code mib} MiB of pages (and their frame headers); run.sh turns operations per second into MiB/s.
 * The setup checks that both production paths accept every frame, so a benchmark never measures a scan that
 * stopped early.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class WalBench {
    private static final int FLOOR_CHUNK = 64 * 1024;

    /** MiB of page data in the WAL (see {@link Fixtures#wal}). */
    @Param({"4"})
    public int mib;

    private Path dir;
    private WalReader reader;
    private FileChannel channel;
    private ByteBuffer chunk;
    private ByteBuffer frames;
    private ByteBuffer copy;
    private WalHeader header;
    private long walBytes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Fixtures.tempDir();
        Path wal = Fixtures.wal(dir, mib);
        walBytes = Files.size(wal);
        reader = WalReader.open(wal);
        channel = FileChannel.open(wal, StandardOpenOption.READ);
        chunk = ByteBuffer.allocateDirect(FLOOR_CHUNK);
        byte[] all = Files.readAllBytes(wal);
        frames = ByteBuffer.allocateDirect(all.length).put(all).flip();
        copy = ByteBuffer.allocateDirect(all.length);
        header = WalHeader.decode(frames.slice(0, WalHeader.SIZE));
        checkFixture();
    }

    private void checkFixture() throws IOException {
        WalBatch batch = scan();
        long frameCount = (walBytes - WalHeader.SIZE) / header.frameSize();
        if (batch.stop().kind() != WalStop.Kind.END || batch.end().frameCount() != frameCount) {
            throw new IllegalStateException("the scan stopped early (" + batch.stop() + ") after "
                    + batch.end().frameCount() + " of " + frameCount + " frames");
        }
        if (!checksum().matches(batch.end().checksum1(), batch.end().checksum2())) {
            throw new IllegalStateException("the in-memory checksum chain does not end where the scan's does");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        reader.close();
        channel.close();
        Fixtures.deleteTree(dir);
    }

    /** The production scan of the whole WAL. */
    @Benchmark
    public WalBatch scan() throws IOException {
        return reader.read(WalPosition.INITIAL);
    }

    /** Floor of {@link #scan}: the same bytes read from the same file, unchecked. */
    @Benchmark
    public long scanFloorRead() throws IOException {
        long at = 0;
        while (at < walBytes) {
            chunk.clear();
            int n = channel.read(chunk, at);
            if (n < 0) {
                break;
            }
            at += n;
        }
        return at;
    }

    /** The WAL checksum chain over every frame, in memory. */
    @Benchmark
    public WalChecksum checksum() {
        ByteOrder order = header.checksumOrder();
        int frameSize = header.frameSize();
        WalChecksum sum = WalPosition.start(header).checksum();
        for (int at = WalHeader.SIZE; at + frameSize <= walBytes; at += frameSize) {
            sum = sum.update(frames, at, 8, order).update(frames, at + WalFrameHeader.SIZE, header.pageSize(), order);
        }
        return sum;
    }

    /** Floor of {@link #checksum}: a copy of the same bytes. */
    @Benchmark
    public ByteBuffer checksumFloorCopy() {
        return copy.put(0, frames, 0, (int) walBytes);
    }
}
