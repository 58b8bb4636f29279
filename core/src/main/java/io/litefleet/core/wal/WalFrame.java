package io.litefleet.core.wal;

/**
 * One validated frame of a committed transaction: which page it holds and where that page's bytes are, so the
 * bytes can be fetched later with {@link WalReader#readPage(WalFrame, java.nio.ByteBuffer)} into a pooled buffer.
 * The salts let that later read check that the frame was not overwritten by a newer WAL generation.
 *
 * @param pageNumber page number, 1-based
 * @param dataOffset byte offset in the {@code -wal} of the page data (the frame header starts 24 bytes earlier)
 * @param salt1      salt-1 of the frame's WAL generation
 * @param salt2      salt-2 of the frame's WAL generation
 * @param pageSize   page size of the frame's WAL generation, in bytes
 */
public record WalFrame(long pageNumber, long dataOffset, int salt1, int salt2, int pageSize) {
    /** Validates the page number range and that the data lies after the header and a frame header. */
    public WalFrame {
        if (pageNumber < 1 || pageNumber > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("bad page number " + pageNumber);
        }
        if (dataOffset < WalHeader.SIZE + WalFrameHeader.SIZE) {
            throw new IllegalArgumentException("bad page data offset " + dataOffset);
        }
        if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("bad page size " + pageSize);
        }
    }

    /** Byte offset of this frame's header. */
    public long frameOffset() {
        return dataOffset - WalFrameHeader.SIZE;
    }
}
