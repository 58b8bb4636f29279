package io.litefleet.core.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Reads complete committed transactions from one {@code -wal} file with positional reads, never touching the
 * database file or the {@code -shm}.
 *
 * <p>Every {@link #read(WalPosition, long)} re-reads the header and the file size, so one reader can follow a WAL
 * for as long as the file is not deleted: it notices restarts (new salts) and truncation. A reader reads the
 * file it opened; if the {@code -wal} is deleted and created anew (possible only when no connection keeps the
 * database open), open a new reader.
 *
 * <p>Not thread-safe: use one reader from one thread at a time. The caller owns the reader and must close it;
 * {@link #close()} is idempotent.
 */
public interface WalReader extends AutoCloseable {
    /**
     * Opens the {@code -wal} file at {@code walFile} for reading.
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws IOException                       if it cannot be opened
     */
    static WalReader open(Path walFile) throws IOException {
        return FileWalReader.open(walFile);
    }

    /** A reader of a {@code -wal} known not to exist: it reads as an empty one. */
    static WalReader absent(Path walFile) {
        return new AbsentWalReader(walFile);
    }

    /** The file this reader reads. */
    Path path();

    /**
     * Reads the complete committed transactions that follow {@code from}, stopping at the first frame that cannot
     * be trusted, at the end of the file, or after the first transaction that brings the number of returned
     * frames to {@code maxFrames} or more (a transaction is never split, so more frames may be returned).
     *
     * <p>From {@link WalPosition#INITIAL} reading starts after whatever valid header the file has. From any other
     * position the header's salts must still equal the position's ({@link WalStop.Kind#WAL_RESTARTED} otherwise)
     * and the file must reach the position ({@link WalStop.Kind#WAL_SHORTER} otherwise); frames are then
     * checked against the position's checksum. Frames after the last commit frame are never returned.
     *
     * @param from      where to start: {@link WalPosition#INITIAL} or a position this reader type returned
     * @param maxFrames frame budget, at least 1; {@link Long#MAX_VALUE} for no limit
     * @return the transactions, the position after them and why reading stopped
     * @throws IllegalArgumentException if {@code from} does not lie on a frame boundary of this WAL's page size
     * @throws IOException              if the file cannot be read
     */
    WalBatch read(WalPosition from, long maxFrames) throws IOException;

    /** Same as {@link #read(WalPosition, long)} without a frame budget. */
    default WalBatch read(WalPosition from) throws IOException {
        return read(from, Long.MAX_VALUE);
    }

    /**
     * Copies the page of {@code frame} into {@code destination} at its position, advancing the position by the
     * page size; then checks that the frame header still names the same page and salts, so a page overwritten by
     * a newer WAL generation is never handed out.
     *
     * @param frame       a frame this reader returned
     * @param destination a buffer with at least {@code frame.pageSize()} bytes remaining; owned by the caller
     * @throws WalChangedException if the frame was overwritten or the file no longer reaches it; the bytes in
     *                             {@code destination} are then undefined and its position is unchanged
     * @throws IOException         if the file cannot be read
     */
    void readPage(WalFrame frame, ByteBuffer destination) throws IOException;

    /** Closes the file; idempotent. */
    @Override
    void close() throws IOException;
}
