package io.litefleet.core.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One pass over the frames after a start position, validating each like SQLite's WAL recovery does: salts equal
 * to the header's, the cumulative checksum continuing the chain, a non-zero page number. Frames are buffered
 * until their commit frame arrives. Single use, single thread.
 */
final class FrameScan {
    private final WalFile file;
    private final WalHeader header;
    private final long size;
    private final long maxFrames;
    private final ByteBuffer frame;
    private final List<WalTransaction> transactions = new ArrayList<>();
    private List<WalFrame> pending = new ArrayList<>();
    private WalPosition committed;
    private WalChecksum checksum;
    private long offset;
    private long returnedFrames;

    /**
     * @param frame a buffer of at least {@code header.frameSize()} bytes the scan may overwrite
     * @param size  the file size to read up to, taken once so a growing file gives a consistent snapshot
     */
    FrameScan(WalFile file, WalHeader header, long size, WalPosition start, long maxFrames, ByteBuffer frame) {
        this.file = file;
        this.header = header;
        this.size = size;
        this.maxFrames = maxFrames;
        this.frame = frame.clear().limit(header.frameSize());
        this.committed = start;
        this.checksum = start.checksum();
        this.offset = start.offset();
    }

    WalBatch run() throws IOException {
        WalStop stop = null;
        while (stop == null) {
            stop = next();
        }
        return new WalBatch(Optional.of(header), transactions, committed, stop);
    }

    /** Reads and accepts one frame, or says why not. */
    private WalStop next() throws IOException {
        if (offset + header.frameSize() > size) {
            return endOfFile();
        }
        if (pending.isEmpty() && returnedFrames >= maxFrames) {
            return new WalStop(WalStop.Kind.LIMIT, offset, "frame budget of " + maxFrames + " reached");
        }
        frame.clear();
        if (!file.readFully(frame, offset)) {
            return stop(WalStop.Kind.TORN_TAIL, offset, "the file shrank while being read");
        }
        WalFrameHeader frameHeader = WalFrameHeader.decode(frame.flip());
        if (!header.sameSalts(frameHeader.salt1(), frameHeader.salt2())) {
            return stop(WalStop.Kind.SALT_MISMATCH, offset, String.format(
                    "frame salts %08x/%08x differ from the header's %08x/%08x (stale frame of an earlier WAL)",
                    frameHeader.salt1(), frameHeader.salt2(), header.salt1(), header.salt2()));
        }
        WalChecksum next = checksum.update(frame, 0, 8, header.checksumOrder())
                .update(frame, WalFrameHeader.SIZE, header.pageSize(), header.checksumOrder());
        if (!next.matches(frameHeader.checksum1(), frameHeader.checksum2())) {
            return stop(WalStop.Kind.CHECKSUM_MISMATCH, offset, String.format(
                    "frame checksum %08x/%08x, expected %s", frameHeader.checksum1(), frameHeader.checksum2(),
                    next));
        }
        if (frameHeader.pageNumber() == 0) {
            return stop(WalStop.Kind.FRAME_INVALID, offset, "frame with page number 0");
        }
        accept(frameHeader, next);
        return null;
    }

    private void accept(WalFrameHeader frameHeader, WalChecksum next) {
        pending.add(new WalFrame(frameHeader.pageNumber(), offset + WalFrameHeader.SIZE, header.salt1(),
                header.salt2(), header.pageSize()));
        checksum = next;
        offset += header.frameSize();
        if (frameHeader.isCommit()) {
            committed = new WalPosition(offset, header.salt1(), header.salt2(), next.s0(), next.s1(),
                    frameHeader.commitSize(), committed.frameCount() + pending.size());
            transactions.add(new WalTransaction(pending, frameHeader.commitSize(), committed));
            returnedFrames += pending.size();
            pending = new ArrayList<>();
        }
    }

    private WalStop endOfFile() {
        if (offset < size) {
            return stop(WalStop.Kind.TORN_TAIL, offset, String.format("partial frame: %d of %d bytes",
                    size - offset, header.frameSize()));
        }
        if (pending.isEmpty()) {
            return new WalStop(WalStop.Kind.END, size, "end of WAL after the last commit");
        }
        return stop(WalStop.Kind.TORN_TAIL, size, "the file ends before a commit frame");
    }

    /** A stop whose message also says how many uncommitted frames were left behind. */
    private WalStop stop(WalStop.Kind kind, long at, String message) {
        String tail = pending.isEmpty() ? "" : String.format("; %d frame(s) from offset %d had no commit frame",
                pending.size(), committed.offset());
        return new WalStop(kind, at, message + tail);
    }
}
