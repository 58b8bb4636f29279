package io.litefleet.core.wal;

import java.util.Objects;

/**
 * Where and why a {@link WalReader#read(WalPosition, long)} stopped. Everything before the batch's end position
 * is trustworthy; the stop explains what lies at or after it.
 *
 * @param kind    why reading stopped
 * @param offset  the byte offset in the {@code -wal} the reason refers to (see each {@link Kind})
 * @param message a human explanation with the numbers involved
 */
public record WalStop(Kind kind, long offset, String message) {
    /** Checks for nulls and a negative offset. */
    public WalStop {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
    }

    /** Why reading stopped. Only {@link #WAL_RESTARTED} and {@link #WAL_SHORTER} question earlier positions. */
    public enum Kind {
        /** The file ends exactly after the last commit frame; offset = file size. */
        END,
        /** The caller's frame budget was reached after a whole transaction; more may follow at offset. */
        LIMIT,
        /**
         * The file ends inside a frame or header, or after frames that lack their commit frame (a transaction
         * being written, or spilled by a big one); offset = where the incomplete frame or the file ends.
         */
        TORN_TAIL,
        /**
         * The frame at offset carries other salts than the header: left over from an earlier WAL generation
         * (normal after a restart) or being overwritten right now.
         */
        SALT_MISMATCH,
        /**
         * The frame at offset breaks the cumulative checksum chain: corruption, a frame being written right now,
         * or a stale frame of a rolled-back transaction that a shorter one partly overwrote.
         */
        CHECKSUM_MISMATCH,
        /** The frame at offset has valid salts and checksum but page number 0, which SQLite also rejects. */
        FRAME_INVALID,
        /** The header (offset 0) has a bad magic, version, page size or checksum; SQLite treats such a WAL as empty. */
        HEADER_INVALID,
        /**
         * The header's salts differ from the given position's: the WAL was restarted (checkpointed and reset) since;
         * offset 0. The caller must decide whether continuity holds.
         */
        WAL_RESTARTED,
        /** The file is shorter than the given position's offset (offset = that position), e.g. truncated. */
        WAL_SHORTER
    }
}
