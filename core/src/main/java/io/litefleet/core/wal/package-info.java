/**
 * Reads SQLite's write-ahead log ({@code -wal} file) with plain file I/O and hands out complete committed
 * transactions, so the capture engine can turn them into LTX files.
 *
 * <p>Format facts come from sqlite.org/walformat.html and sqlite.org/fileformat2.html ("Write-Ahead Log"): a
 * 32-byte header, then frames of a 24-byte frame header followed by one page. Every frame carries the header's
 * salts and a cumulative checksum over the header and all earlier frames; a frame whose "commit size" is
 * non-zero ends a transaction. A reader may trust a frame only if its salts match the header and the checksum
 * chain holds up to it, and may use a transaction only once its commit frame is valid.
 *
 * <p>Only the {@code -wal} file is ever opened here: SQLite keeps no POSIX locks on it, whereas opening and
 * closing the database file or the {@code -shm} would drop the locks our own SQLite connections hold.
 */
package io.litefleet.core.wal;
