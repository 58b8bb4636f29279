package io.litefleet.core.restore;

import io.litefleet.core.ltx.Checksums;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * The database being restored: {@code <output>.tmp}, written with positional writes, verified, then installed at
 * the output by an atomic rename and a directory fsync. Closing before {@link #install} deletes the temp file and
 * any SQLite sidecars of it, so a failed restore leaves nothing behind. Not thread-safe.
 */
final class RestoreOutput implements AutoCloseable {
    /** SQLite's files beside a database; a stale one would be applied to (and corrupt) the restored database. */
    static final List<String> SIDECARS = List.of("-wal", "-shm", "-journal");

    private final Path output;
    private final Path tmp;
    private final boolean overwrite;
    private final FileChannel channel;
    private boolean installed;

    private RestoreOutput(Path output, Path tmp, boolean overwrite, FileChannel channel) {
        this.output = output;
        this.tmp = tmp;
        this.overwrite = overwrite;
        this.channel = channel;
    }

    /**
     * Checks the output path and creates the temp file (and missing parent directories).
     *
     * @throws FileAlreadyExistsException naming the output, a sidecar of it or the temp file, when one exists and
     *                                    {@code overwrite} is off (the temp file: another restore may be running)
     */
    static RestoreOutput create(Path output, boolean overwrite) throws IOException {
        Path out = output.toAbsolutePath();
        checkOutput(out, overwrite);
        Files.createDirectories(out.getParent());
        Path tmp = sibling(out, ".tmp");
        FileChannel ch;
        try {
            ch = overwrite
                    ? FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                            StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(tmp.toString(), null,
                    "temp file exists: another restore is running or one was interrupted; remove it or use -force");
        }
        return new RestoreOutput(out, tmp, overwrite, ch);
    }

    private static void checkOutput(Path out, boolean overwrite) throws IOException {
        if (Files.isDirectory(out)) {
            throw new FileAlreadyExistsException(out.toString(), null, "output is a directory");
        }
        if (overwrite) {
            return;
        }
        if (Files.exists(out)) {
            throw new FileAlreadyExistsException(out.toString(), null, "output exists; use -force to overwrite");
        }
        for (String s : SIDECARS) {
            Path p = sibling(out, s);
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p.toString(), null,
                        "SQLite file of an old database at the output exists; use -force to overwrite");
            }
        }
    }

    /** The temp file. */
    Path tmp() {
        return tmp;
    }

    /** The temp file being restored (for a restore that writes it by other means after {@link #sync}). */
    Path path() {
        return tmp;
    }

    /** Writes one page at {@code (pgno - 1) * page.length}. */
    void writePage(int pgno, byte[] page) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(page);
        long pos = (long) (pgno - 1) * page.length;
        while (b.hasRemaining()) {
            pos += channel.write(b, pos);
        }
    }

    /** Makes the file exactly {@code size} bytes: cut, or extended with zeros. */
    void setLength(long size) throws IOException {
        long cur = channel.size();
        if (size < cur) {
            channel.truncate(size);
        } else if (size > cur) {
            channel.write(ByteBuffer.allocate(1), size - 1); // beyond EOF, so this byte is (and stays) zero
        }
    }

    /** Flushes the content to disk and closes the file; no page can be written afterwards. */
    void sync() throws IOException {
        channel.force(true);
        channel.close();
    }

    /** The rolling LTX checksum of the synced file. */
    long checksum(int pageSize) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tmp), 1 << 16)) {
            return Checksums.database(in, pageSize);
        }
    }

    /**
     * Runs {@code check}'s pragma on the synced file through a read-only connection, which cannot change it, then
     * deletes the {@code -wal} and {@code -shm} that such a connection leaves beside a WAL-mode database (measured
     * with sqlite-jdbc 3.54; upstream deletes them too). {@link IntegrityCheck#NONE} opens nothing.
     *
     * @return the problems reported, empty when the database is intact
     */
    List<String> integrityCheck(IntegrityCheck check) throws IOException {
        List<String> problems = new ArrayList<>();
        if (check == IntegrityCheck.NONE) {
            return problems;
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        try (Connection c = config.createConnection("jdbc:sqlite:" + tmp);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA " + check.pragma())) {
            while (rs.next()) {
                String row = rs.getString(1);
                if (!"ok".equals(row)) {
                    problems.add(row);
                }
            }
        } catch (SQLException e) {
            problems.add("cannot open the restored database: " + e.getMessage());
        }
        Path wal = sibling(tmp, "-wal");
        if (Files.exists(wal) && Files.size(wal) > 0) {
            throw new IllegalStateException(wal + " has content after a read-only integrity check");
        }
        deleteSidecars(tmp);
        return problems;
    }

    /** {@code problems} of {@link #integrityCheck} as one message part: the pragma, the first five problems. */
    static String describe(IntegrityCheck check, List<String> problems) {
        return "fails PRAGMA " + check.pragma() + ": " + String.join("; ", problems.subList(0,
                Math.min(5, problems.size()))) + " (nothing installed; -integrity-check none restores it as it is)";
    }

    /** Gives the synced, checked file the header follow mode serves to readers ({@link ReaderHeader}). */
    void markForReaders() throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ReaderHeader.write(ch, tmp, ReaderHeader.changeCounter(ch, tmp) + 1);
            ch.force(true);
        }
    }

    /**
     * Moves the temp file to the output atomically and fsyncs the directory. Without overwrite, an output that
     * appeared meanwhile is refused (a hard link creates the output only if absent; where links are unsupported,
     * the output is checked just before the rename).
     */
    void install() throws IOException {
        if (overwrite) {
            deleteSidecars(output);
            Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            installNoClobber();
        }
        installed = true;
        try (FileChannel dir = FileChannel.open(output.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private void installNoClobber() throws IOException {
        try {
            Files.createLink(output, tmp);
            Files.delete(tmp);
            return;
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(output.toString(), null,
                    "output appeared during the restore; use -force to overwrite");
        } catch (UnsupportedOperationException | FileSystemException e) {
            // no hard links here: check, then rename
        }
        checkOutput(output, false);
        Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes the temp file and its sidecars unless installed. Idempotent. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        try {
            channel.close();
        } catch (IOException e) {
            failure = e;
        }
        if (installed) {
            if (failure != null) {
                throw failure;
            }
            return;
        }
        for (Path p : List.of(tmp, sibling(tmp, "-wal"), sibling(tmp, "-shm"), sibling(tmp, "-journal"))) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void deleteSidecars(Path db) throws IOException {
        for (String s : SIDECARS) {
            Files.deleteIfExists(sibling(db, s));
        }
    }

    static Path sibling(Path p, String suffix) {
        return p.resolveSibling(p.getFileName() + suffix);
    }
}
