package io.litefleet.core.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link WalReader} over a {@link WalFile}. Not thread-safe: it reuses one frame buffer. */
final class FileWalReader implements WalReader {
    private final WalFile file;
    private final ByteBuffer small = ByteBuffer.allocate(WalHeader.SIZE);
    private ByteBuffer frame = ByteBuffer.allocateDirect(0);
    private boolean closed;

    private FileWalReader(WalFile file) {
        this.file = file;
    }

    static FileWalReader open(Path walFile) throws IOException {
        return new FileWalReader(WalFile.open(walFile));
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public WalBatch read(WalPosition from, long maxFrames) throws IOException {
        Objects.requireNonNull(from, "from");
        if (maxFrames < 1) {
            throw new IllegalArgumentException("maxFrames must be at least 1, not " + maxFrames);
        }
        ensureOpen();
        long size = file.size();
        small.clear();
        if (size < WalHeader.SIZE || !file.readFully(small, 0)) {
            return withoutHeader(from, size);
        }
        WalHeader header;
        try {
            header = WalHeader.decode(small.flip());
        } catch (IllegalArgumentException e) {
            return from.isInitial() || size >= from.offset()
                    ? stopped(Optional.empty(), from, WalStop.Kind.HEADER_INVALID, 0, e.getMessage())
                    : shorter(Optional.empty(), from, size);
        }
        return readFrames(header, size, from, maxFrames);
    }

    private WalBatch readFrames(WalHeader header, long size, WalPosition from, long maxFrames) throws IOException {
        Optional<WalHeader> found = Optional.of(header);
        if (!from.isInitial()) {
            if (!header.sameSalts(from.salt1(), from.salt2())) {
                return stopped(found, from, WalStop.Kind.WAL_RESTARTED, 0, String.format(
                        "WAL restarted: header salts %08x/%08x, position salts %08x/%08x", header.salt1(),
                        header.salt2(), from.salt1(), from.salt2()));
            }
            if (size < from.offset()) {
                return shorter(found, from, size);
            }
            checkFrameBoundary(header, from);
        }
        WalPosition start = from.isInitial() ? WalPosition.start(header) : from;
        return new FrameScan(file, header, size, start, maxFrames, frameBuffer(header.frameSize())).run();
    }

    private static void checkFrameBoundary(WalHeader header, WalPosition from) {
        long frames = (from.offset() - WalHeader.SIZE) / header.frameSize();
        long rest = (from.offset() - WalHeader.SIZE) % header.frameSize();
        if (rest != 0 || frames != from.frameCount()) {
            throw new IllegalArgumentException(from + " is not a frame boundary for page size "
                    + header.pageSize());
        }
    }

    private WalBatch withoutHeader(WalPosition from, long size) {
        if (!from.isInitial()) {
            return shorter(Optional.empty(), from, size);
        }
        return size == 0
                ? stopped(Optional.empty(), from, WalStop.Kind.END, 0, "empty WAL")
                : stopped(Optional.empty(), from, WalStop.Kind.TORN_TAIL, 0, "partial WAL header: " + size
                        + " of 32 bytes");
    }

    private static WalBatch shorter(Optional<WalHeader> header, WalPosition from, long size) {
        return stopped(header, from, WalStop.Kind.WAL_SHORTER, from.offset(), "WAL is " + size
                + " bytes, shorter than the position's offset " + from.offset());
    }

    private static WalBatch stopped(Optional<WalHeader> header, WalPosition from, WalStop.Kind kind, long offset,
            String message) {
        return new WalBatch(header, List.of(), from, new WalStop(kind, offset, message));
    }

    private ByteBuffer frameBuffer(int frameSize) {
        if (frame.capacity() < frameSize) {
            frame = ByteBuffer.allocateDirect(frameSize);
        }
        return frame;
    }

    @Override
    public void readPage(WalFrame frame, ByteBuffer destination) throws IOException {
        Objects.requireNonNull(frame, "frame");
        if (destination.remaining() < frame.pageSize()) {
            throw new IllegalArgumentException("destination has " + destination.remaining() + " bytes, page needs "
                    + frame.pageSize());
        }
        ensureOpen();
        ByteBuffer page = destination.slice(destination.position(), frame.pageSize());
        if (!file.readFully(page, frame.dataOffset())) {
            throw new WalChangedException("WAL no longer reaches " + frame);
        }
        // SQLite writes a frame's header before its page, so a header that still matches once the page has been
        // read proves that the page bytes were not being overwritten by a newer WAL generation meanwhile.
        checkFrameHeader(frame);
        destination.position(destination.position() + frame.pageSize());
    }

    private void checkFrameHeader(WalFrame frame) throws IOException {
        small.clear().limit(WalFrameHeader.SIZE);
        if (!file.readFully(small, frame.frameOffset())) {
            throw new WalChangedException("WAL no longer reaches " + frame);
        }
        WalFrameHeader now = WalFrameHeader.decode(small.flip());
        if (now.pageNumber() != frame.pageNumber() || now.salt1() != frame.salt1() || now.salt2() != frame.salt2()) {
            throw new WalChangedException(String.format("%s was overwritten: now page %d with salts %08x/%08x",
                    frame, now.pageNumber(), now.salt1(), now.salt2()));
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("WAL reader for " + file.path() + " is closed");
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            file.close();
        }
    }
}
