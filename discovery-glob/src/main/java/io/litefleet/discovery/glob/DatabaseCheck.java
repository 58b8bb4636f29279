package io.litefleet.discovery.glob;

import io.litefleet.api.discovery.FileFingerprint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Decides whether a file is a SQLite database and fingerprints it. Holds one reusable header buffer, so it is not
 * thread-safe: one per scan or thread.
 *
 * <p>A database is a regular file (symlinks are not followed) of at least 16 bytes that starts with
 * {@code "SQLite format 3\0"} (sqlite.org/fileformat2.html, section 1.3). Only the database file is opened, for
 * that one read; {@code -wal} files are only stat'ed, {@code -shm} files never touched. A symlink is handed to the
 * {@code symlinks} callback (which may say why it is not replicated) and is not a database here.
 */
final class DatabaseCheck {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    private static final String[] AUXILIARY = {"-wal", "-shm", "-journal"};

    private final ByteBuffer header = ByteBuffer.allocateDirect(MAGIC.length);
    private final Consumer<Path> symlinks;

    /** @param symlinks called with every candidate that is a symlink, on the calling thread */
    DatabaseCheck(Consumer<Path> symlinks) {
        this.symlinks = symlinks;
    }

    /**
     * The fingerprint of the database at {@code db}, or {@code null} when there is none (absent, not a regular
     * file, too short, or another header).
     *
     * @param walMayExist false when the caller knows there is no {@code -wal} (it just listed the directory), which
     *                    saves a stat per database
     * @param readHeader  false: the file is only stat-ed, never opened
     * @throws IOException when the file exists but cannot be read
     */
    FileFingerprint fingerprint(Path db, boolean walMayExist, boolean readHeader) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(db, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return null;
        }
        if (!plausible(db, a)) {
            return null;
        }
        if (readHeader && !headerOk(() -> Files.newByteChannel(db, READ))) {
            return null;
        }
        BasicFileAttributes wal = null;
        if (walMayExist) {
            // Null when there is no -wal (a database in rollback mode, or one whose last connection closed; 0/0 by
            // contract), without the exception Files.readAttributes would build for it (the JDK answers from the
            // errno only when following links; a -wal that is a link is measured at its target).
            Path w = db.resolveSibling(db.getFileName() + "-wal");
            wal = w.getFileSystem().provider().readAttributesIfExists(w, BasicFileAttributes.class);
        }
        return fingerprint(a, wal);
    }


    /**
     * As {@link #fingerprint(Path, boolean, boolean)} for the entry {@code file} of an open directory: the stat and
     * open are relative to the directory's descriptor (by the file's name), which saves the kernel a path walk per
     * call.
     *
     * @param file       the entry's path: {@code dir}'s path resolved with its name
     * @param readHeader false: stat only
     */
    FileFingerprint fingerprint(SecureDirectoryStream<Path> dir, Path file, boolean walMayExist, boolean readHeader)
            throws IOException {
        Path name = file.getFileName();
        BasicFileAttributes a;
        try {
            a = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (NoSuchFileException gone) {
            return null;
        }
        if (!plausible(file, a)) {
            return null;
        }
        if (readHeader && !headerOk(() -> dir.newByteChannel(name, READ))) {
            return null;
        }
        BasicFileAttributes wal = null;
        if (walMayExist) {
            try {
                // Following a link, as fingerprint(Path, ...) and the replicator do, so both record the same values.
                wal = dir.getFileAttributeView(name.getFileSystem().getPath(name + "-wal"),
                        BasicFileAttributeView.class).readAttributes();
            } catch (NoSuchFileException absent) {
                // listed a moment ago, checkpointed and deleted since
            }
        }
        return fingerprint(a, wal);
    }

    /** Opens a file for the header check. */
    private interface Opener {
        SeekableByteChannel open() throws IOException;
    }

    /** Whether the file starts with SQLite's magic; false when it vanished in between. */
    private boolean headerOk(Opener opener) throws IOException {
        try (SeekableByteChannel ch = opener.open()) {
            return hasHeader(ch);
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    /**
     * Regular (not a symlink, FIFO or device: opening those could block or follow) and long enough for a header. A
     * symlink goes to the callback.
     */
    private boolean plausible(Path file, BasicFileAttributes a) {
        if (a.isSymbolicLink()) {
            symlinks.accept(file);
            return false;
        }
        return a.isRegularFile() && a.size() >= MAGIC.length;
    }

    private static FileFingerprint fingerprint(BasicFileAttributes db, BasicFileAttributes wal) {
        boolean hasWal = wal != null && wal.isRegularFile();
        return new FileFingerprint(db.size(), nanos(db.lastModifiedTime()), hasWal ? wal.size() : 0,
                hasWal ? nanos(wal.lastModifiedTime()) : 0);
    }

    private boolean hasHeader(SeekableByteChannel ch) throws IOException {
        header.clear();
        while (header.hasRemaining() && ch.read(header) >= 0) {
            // a short read only happens if the file shrank under us; loop until EOF or full
        }
        if (header.position() < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (header.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    /** Whether {@code name} is a SQLite companion file ({@code -wal}, {@code -shm}, {@code -journal}). */
    static boolean isAuxiliary(String name) {
        for (String suffix : AUXILIARY) {
            if (name.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** For {@code x.db-wal}, {@code x.db-shm} or {@code x.db-journal}: {@code x.db}; else {@code null}. */
    static String auxiliaryBase(String name) {
        for (String suffix : AUXILIARY) {
            if (name.endsWith(suffix) && name.length() > suffix.length()) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return null;
    }
}
