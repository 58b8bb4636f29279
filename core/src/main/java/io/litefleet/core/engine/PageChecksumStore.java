package io.litefleet.core.engine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps a database's page checksums in the state directory while it is not open ({@code pages/<hash>.crc}), so a
 * later open that proves continuity from the WAL does not have to read the whole database to know them, and never
 * needs a descriptor on the database file. A file is only trusted when its header names the same TXID, database
 * checksum and page size as the caller's recorded position. Thread-safe (files are written atomically).
 */
final class PageChecksumStore {
    private static final int MAGIC = 0x4c464350; // "LFCP"

    private final Path dir;

    PageChecksumStore(Path stateDir) {
        this.dir = stateDir.resolve("pages");
    }

    /** Saves the map for {@code db} at position {@code txid}/{@code checksum}. */
    void save(Path db, long txid, long checksum, int pageSize, PageChecksums crcs) throws IOException {
        Files.createDirectories(dir);
        Path file = file(db);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 64 * 1024))) {
            out.writeInt(MAGIC);
            out.writeLong(txid);
            out.writeLong(checksum);
            out.writeInt(pageSize);
            out.writeInt(crcs.pages());
            for (int p = 1; p <= crcs.pages(); p++) {
                out.writeLong(crcs.get(p));
            }
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The map saved for exactly this position, if any. */
    Optional<PageChecksums> load(Path db, long txid, long checksum, int pageSize) {
        try (InputStream is = Files.newInputStream(file(db));
             DataInputStream in = new DataInputStream(new BufferedInputStream(is, 64 * 1024))) {
            if (in.readInt() != MAGIC || in.readLong() != txid || in.readLong() != checksum
                    || in.readInt() != pageSize) {
                return Optional.empty();
            }
            int pages = in.readInt();
            Map<Integer, Long> all = new HashMap<>(Math.max(16, pages * 2));
            for (int p = 1; p <= pages; p++) {
                long crc = in.readLong();
                if (crc != 0) {
                    all.put(p, crc);
                }
            }
            PageChecksums crcs = new PageChecksums(pageSize);
            crcs.apply(all, pages);
            return crcs.rolling() == checksum ? Optional.of(crcs) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // a torn or unreadable file is just not trusted
        }
    }

    private Path file(Path db) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(db.toString().getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h, 0, 16) + ".crc");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
