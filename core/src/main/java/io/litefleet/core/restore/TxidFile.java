package io.litefleet.core.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * Follow mode's record of the last TXID applied to a database: {@code <db>-txid} beside it holding 16 hex digits
 * and a newline, upstream's file and format (a follower of either tool resumes the other's). Written atomically
 * (temp file, fsync, rename, directory fsync).
 */
public final class TxidFile {
    private TxidFile() {
    }

    /** {@code <db>-txid}. */
    public static Path of(Path db) {
        return RestoreOutput.sibling(db.toAbsolutePath(), "-txid");
    }

    /**
     * The TXID recorded for {@code db}, or empty when there is no record.
     *
     * @throws RestoreException naming the file when it does not hold a TXID
     */
    public static OptionalLong read(Path db) throws IOException {
        Path p = of(db);
        String text;
        try {
            text = Files.readString(p, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        if (!text.matches("[0-9a-f]{16}")) {
            throw new RestoreException(p + ": not a TXID record (16 hex digits): '" + text + "'");
        }
        return OptionalLong.of(Long.parseUnsignedLong(text, 16));
    }

    /** Records {@code txid} for {@code db}. */
    public static void write(Path db, long txid) throws IOException {
        Path p = of(db);
        Path tmp = RestoreOutput.sibling(p, ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(String.format("%016x%n", txid).getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(p.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
