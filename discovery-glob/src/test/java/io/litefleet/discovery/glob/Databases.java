package io.litefleet.discovery.glob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Test fixtures: fake database files with a valid SQLite header, written directly, and deadline polling. */
final class Databases {
    /** The 16-byte magic followed by the rest of a 100-byte header, all zero: enough for discovery. */
    static final byte[] HEADER = new byte[100];

    static {
        byte[] magic = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, HEADER, 0, magic.length);
    }

    private Databases() {
    }

    /** Creates {@code db} (and its parent directories) with a valid header; returns it. */
    static Path create(Path db) {
        try {
            Files.createDirectories(db.getParent());
            Files.write(db, HEADER);
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a file that is not a database. */
    static Path createOther(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code condition} every few milliseconds until it holds or {@code deadline} passes; true when it held. */
    static boolean within(Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() - end < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(5);
        }
        return condition.getAsBoolean();
    }
}
