package io.litefleet.core.engine;

import io.litefleet.api.discovery.FileFingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

/** One stat per file, for fingerprints and file identity. Stateless. */
public final class FileStats {
    private FileStats() {
    }

    /** The file's attributes (symlinks followed); null when it is missing or unreadable. */
    static BasicFileAttributes attributes(Path p) {
        try {
            // Null for a missing file without an exception (Files.readAttributes would build one, stack and all).
            return p.getFileSystem().provider().readAttributesIfExists(p, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** The fingerprint of database {@code db} and its {@code -wal} now, as a sync records it (two stats). */
    public static FileFingerprint of(Path db) {
        Path file = db;
        try {
            file = db.toRealPath(); // SQLite keeps the -wal beside a symlink's target
        } catch (IOException e) {
            // missing: both stats say so
        }
        return fingerprint(attributes(file), attributes(Path.of(file + "-wal")));
    }

    /** Size and mtime of a database ({@code db}) and its WAL ({@code wal}); a missing file counts as size and mtime 0. */
    static FileFingerprint fingerprint(BasicFileAttributes db, BasicFileAttributes wal) {
        return new FileFingerprint(sizeOf(db), mtimeOf(db), sizeOf(wal), mtimeOf(wal));
    }

    /**
     * Whether two fingerprints describe the same state: equal, except that an empty {@code -wal} counts as absent
     * (opening a database, ours included, may create one; it holds no change). Null equals only null.
     */
    public static boolean sameState(FileFingerprint a, FileFingerprint b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.dbSize() == b.dbSize() && a.dbMtimeNanos() == b.dbMtimeNanos() && a.walSize() == b.walSize()
                && (a.walSize() == 0 || a.walMtimeNanos() == b.walMtimeNanos());
    }

    private static long sizeOf(BasicFileAttributes a) {
        return a == null ? 0 : a.size();
    }

    private static long mtimeOf(BasicFileAttributes a) {
        if (a == null) {
            return 0;
        }
        Instant t = a.lastModifiedTime().toInstant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
