package io.litefleet.core.engine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Keeps a database's page checksums for one destination in the state directory ({@code pages/<hash>.crc}), so an open that proves
 * continuity from the WAL does not have to read the whole database to know them, and a capture after a crash (the
 * WAL restarted while nobody replicated) uploads only the pages that differ from the shipped state instead of all
 * of them.
 *
 * <p>The file is a base (every page's checksum at one TXID, written atomically by {@link #save}) followed by a
 * journal: one record per shipped TXID with the pages it changed ({@link #append}, one small write per sync, no
 * fsync). A record is appended before the catalog records its TXID, so the journal reaches at least the catalog's
 * position unless the machine lost power; {@link #load} replays the base and the records up to the asked-for TXID
 * and trusts the result only when it ends exactly at that TXID with that database checksum. A torn or missing
 * record therefore makes the map untrusted (the caller reads the database instead), never wrong. Each record
 * carries a CRC-32C.
 *
 * <p>Thread-safe for different databases; one writer per database (its replicator).
 */
final class PageChecksumStore {
    private static final int MAGIC_V1 = 0x4c464350; // "LFCP": base only
    private static final int MAGIC = 0x4c464332; // "LFC2": base + journal
    /** Magic, TXID, checksum, page size, page count. */
    private static final int BASE_HEADER = 4 + 8 + 8 + 4 + 4;

    private final Path dir;

    PageChecksumStore(Path stateDir) {
        this.dir = stateDir.resolve("pages");
    }

    /**
     * A map read back.
     *
     * @param crcs         the page checksums at the asked-for position
     * @param appendable   whether {@link #append} may continue this file: it ends at that position, in this format
     * @param journalBytes journal bytes after the base, for the caller's rewrite threshold
     */
    record Loaded(PageChecksums crcs, boolean appendable, long journalBytes) {
    }

    /** Saves the whole map for {@code db} at position {@code txid}/{@code checksum}, dropping any journal. */
    void save(String db, long txid, long checksum, int pageSize, PageChecksums crcs) throws IOException {
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

    /**
     * Appends the pages TXID {@code txid} changed (the file must hold the map at {@code txid - 1}).
     *
     * @param checksum the database checksum after {@code txid}
     * @param commit   the database size in pages after {@code txid}
     * @return the bytes appended
     */
    long append(String db, long txid, long checksum, int commit, Map<Integer, Long> changed) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + changed.size() * 12);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0); // record length, patched below
        out.writeLong(txid);
        out.writeLong(checksum);
        out.writeInt(commit);
        out.writeInt(changed.size());
        for (Map.Entry<Integer, Long> e : changed.entrySet()) {
            out.writeInt(e.getKey());
            out.writeLong(e.getValue());
        }
        byte[] record = bytes.toByteArray();
        int length = record.length + 4;
        record[0] = (byte) (length >>> 24);
        record[1] = (byte) (length >>> 16);
        record[2] = (byte) (length >>> 8);
        record[3] = (byte) length;
        CRC32C crc = new CRC32C();
        crc.update(record);
        byte[] framed = new byte[length];
        System.arraycopy(record, 0, framed, 0, record.length);
        int c = (int) crc.getValue();
        framed[length - 4] = (byte) (c >>> 24);
        framed[length - 3] = (byte) (c >>> 16);
        framed[length - 2] = (byte) (c >>> 8);
        framed[length - 1] = (byte) c;
        // One write of the whole record: a reader sees all of it or a torn tail it rejects by its CRC.
        Files.write(file(db), framed, StandardOpenOption.APPEND);
        return length;
    }

    /** The map saved for exactly this position, if any (replaying the journal up to {@code txid}). */
    Optional<Loaded> load(String db, long txid, long checksum, int pageSize) {
        Path file = file(db);
        try (InputStream is = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(is, 64 * 1024))) {
            long size = Files.size(file);
            int magic = in.readInt();
            long baseTxid = in.readLong();
            long baseChecksum = in.readLong();
            if ((magic != MAGIC && magic != MAGIC_V1) || in.readInt() != pageSize || baseTxid > txid) {
                return Optional.empty();
            }
            int pages = in.readInt();
            long baseBytes = BASE_HEADER + 8L * pages;
            if (pages < 0 || baseBytes > size) {
                return Optional.empty(); // a torn or foreign file: never allocate what it claims
            }
            Map<Integer, Long> all = new HashMap<>(Math.max(16, pages * 2));
            for (int p = 1; p <= pages; p++) {
                long crc = in.readLong();
                if (crc != 0) {
                    all.put(p, crc);
                }
            }
            PageChecksums crcs = new PageChecksums(pageSize);
            crcs.apply(all, pages);
            if (crcs.rolling() != baseChecksum) {
                return Optional.empty();
            }
            long at = baseTxid;
            long[] left = {size - baseBytes};
            while (magic == MAGIC && at < txid && replay(in, at + 1, crcs, left)) {
                at++;
            }
            if (at != txid || crcs.rolling() != checksum) {
                return Optional.empty();
            }
            // Appending continues the file only when nothing follows the position (a record of an upload that was
            // never recorded would otherwise sit between).
            boolean atEnd = in.read() < 0;
            return Optional.of(new Loaded(crcs, magic == MAGIC && atEnd, size - baseBytes));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // a torn or unreadable file is just not trusted
        }
    }

    /** Applies the next journal record if it is intact and for {@code txid}; false otherwise. */
    private static boolean replay(DataInputStream in, long txid, PageChecksums crcs, long[] left) throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return false;
        }
        if (length < 32 || length > left[0]) {
            return false;
        }
        left[0] -= length;
        byte[] record = new byte[length];
        record[0] = (byte) (length >>> 24);
        record[1] = (byte) (length >>> 16);
        record[2] = (byte) (length >>> 8);
        record[3] = (byte) length;
        try {
            in.readFully(record, 4, length - 4);
        } catch (EOFException e) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(record, 0, length - 4);
        DataInputStream r = new DataInputStream(new java.io.ByteArrayInputStream(record, 4, length - 4));
        long recordTxid = r.readLong();
        long checksum = r.readLong();
        int commit = r.readInt();
        int n = r.readInt();
        if ((int) crc.getValue() != readInt(record, length - 4) || recordTxid != txid || n < 0
                || length != 32 + n * 12) {
            return false;
        }
        Map<Integer, Long> changed = new HashMap<>(Math.max(16, n * 2));
        for (int i = 0; i < n; i++) {
            changed.put(r.readInt(), r.readLong());
        }
        crcs.apply(changed, commit);
        return crcs.rolling() == checksum;
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /** The file of {@code key} (a database's path, and its destination when it has several). */
    private Path file(String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h, 0, 16) + ".crc");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
