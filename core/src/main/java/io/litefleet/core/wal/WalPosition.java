package io.litefleet.core.wal;

/**
 * Where a reader stands in a WAL: just after the header or just after a commit frame. It holds everything needed
 * to resume reading without re-reading earlier frames, and to recognise a WAL that was restarted or replaced
 * since: the engine persists it and hands it back to {@link WalReader#read(WalPosition, long)}.
 *
 * <p>{@link #INITIAL} is the special position "nothing read yet, not even the header"; every other position has
 * an offset of at least 32.
 *
 * @param offset     byte offset of the next frame to read
 * @param salt1      salt-1 of the WAL generation this position belongs to
 * @param salt2      salt-2 of the WAL generation this position belongs to
 * @param checksum1  cumulative checksum word s0 after the last frame before {@code offset} (or of the header)
 * @param checksum2  cumulative checksum word s1 after the last frame before {@code offset} (or of the header)
 * @param commitSize database size in pages after the last commit before {@code offset}; 0 if none yet
 * @param frameCount number of frames before {@code offset} in this generation
 */
public record WalPosition(long offset, int salt1, int salt2, int checksum1, int checksum2, long commitSize,
        long frameCount) {
    /** Before the header: reading from here starts with whatever header the file has. */
    public static final WalPosition INITIAL = new WalPosition(0, 0, 0, 0, 0, 0, 0);

    /** Validates ranges: an offset inside the header or negative counts are bugs. */
    public WalPosition {
        if (offset != 0 && offset < WalHeader.SIZE) {
            throw new IllegalArgumentException("a WAL position is 0 or at least 32, not " + offset);
        }
        if (commitSize < 0 || commitSize > 0xFFFF_FFFFL || frameCount < 0) {
            throw new IllegalArgumentException("negative or oversized commit size or frame count");
        }
        if (offset == 0 && (frameCount != 0 || commitSize != 0)) {
            throw new IllegalArgumentException("the initial position has no frames");
        }
    }

    /** The position right after {@code header}, before the first frame of its generation. */
    public static WalPosition start(WalHeader header) {
        return new WalPosition(WalHeader.SIZE, header.salt1(), header.salt2(), header.checksum1(),
                header.checksum2(), 0, 0);
    }

    /** Whether this is {@link #INITIAL}. */
    public boolean isInitial() {
        return offset == 0;
    }

    /** The checksum the next frame's chain continues from. */
    WalChecksum checksum() {
        return new WalChecksum(checksum1, checksum2);
    }
}
