package io.litefleet.core.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Moves the {@code pages/<hash>.crc} files of earlier versions (one per database and destination) into the packed
 * {@link PageChecksumStore}, then deletes them and the directory. A file's name is its map's key; its base and
 * journal records keep their bytes. What cannot be read is dropped: the map is then untrusted, never wrong.
 */
final class OldChecksumFiles {
    private static final System.Logger LOG = System.getLogger(OldChecksumFiles.class.getName());
    /** Files moved per transaction. */
    private static final int BATCH = 1000;

    private OldChecksumFiles() {
    }

    /**
     * Moves every file of {@code dir} into {@code store}; nothing happens when {@code dir} does not exist. A file or
     * directory that cannot be read is left where it is (logged): its maps are then untrusted, never wrong.
     */
    static void moveInto(PageChecksumStore store, Path dir) throws SQLException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> batch = new ArrayList<>(BATCH);
        long moved = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                batch.add(f);
                if (batch.size() == BATCH) {
                    moved += move(store, batch);
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            LOG.log(System.Logger.Level.WARNING, dir + ": earlier page-checksum files not moved in (" + e.getMessage()
                    + ")");
        }
        moved += move(store, batch);
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, dir + ": not removed (" + e.getMessage() + ")");
        }
        LOG.log(System.Logger.Level.INFO, "moved " + moved + " page-checksum files from " + dir + " into "
                + dir.resolveSibling(PageChecksumStore.FILE_NAME));
    }

    /**
     * Moves one batch in one transaction, then, once the store has made it durable, deletes its files; returns the
     * maps moved.
     */
    private static int move(PageChecksumStore store, List<Path> batch) throws SQLException {
        int[] moved = {0};
        List<byte[]> contents = new ArrayList<>(batch.size());
        for (Path f : batch) {
            contents.add(read(f));
        }
        store.inTransaction(() -> {
            for (int i = 0; i < batch.size(); i++) {
                if (contents.get(i) != null && moveOne(store, batch.get(i), contents.get(i))) {
                    moved[0]++;
                }
            }
        });
        // The commit was not synced (synchronous=NORMAL): a power loss now could lose it with the files gone.
        if (!store.checkpoint()) {
            LOG.log(System.Logger.Level.DEBUG, () -> batch.size() + " page-checksum files kept until the store is "
                    + "checkpointed (moved in again at the next open)");
            batch.clear();
            return moved[0];
        }
        for (int i = 0; i < batch.size(); i++) {
            if (contents.get(i) != null || !Files.isRegularFile(batch.get(i))) {
                delete(batch.get(i));
            }
        }
        batch.clear();
        return moved[0];
    }

    /** The bytes of {@code f}; null when it is not a regular file or cannot be read (logged). */
    private static byte[] read(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, f + ": unreadable, not moved in (" + e.getMessage() + ")");
            return null;
        }
    }

    private static void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, f + ": not removed (" + e.getMessage() + ")");
        }
    }

    private static boolean moveOne(PageChecksumStore store, Path file, byte[] data) throws SQLException {
        String name = file.getFileName().toString();
        long base = PageChecksumStore.baseLength(data);
        if (!name.matches("[0-9a-f]{32}\\.crc") || base < 0) {
            return false; // a temporary file, a foreign one or a torn base
        }
        byte[] map = HexFormat.of().parseHex(name, 0, 32);
        store.putBase(map, java.util.Arrays.copyOf(data, (int) base));
        for (int at = (int) base, length; (length = PageChecksumStore.recordLength(data, at)) > 0; at += length) {
            long txid = java.nio.ByteBuffer.wrap(data, at + 4, 8).getLong();
            store.putRecord(map, txid, java.util.Arrays.copyOfRange(data, at, at + length));
        }
        return true;
    }
}
