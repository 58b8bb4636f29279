package io.litefleet.core.file;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link ReplicaClient} over a directory: key {@code a/b/c} is the file {@code <root>/a/b/c}.
 *
 * <p><b>Atomic writes.</b> The body goes to a temp file in the target's own directory
 * ({@code .<name>.<random>.tmp}), which is given the {@code litestream-timestamp} as its mtime and atime (as
 * upstream's file backend does, after the fact, with {@code os.Chtimes}) and fsynced, times included, then published
 * under the final name and the directory fsynced. Readers see no file or the whole file, and a crash leaves at most a
 * temp file, which listings skip. Overwrites publish with {@code rename(2)} ({@code ATOMIC_MOVE}), which replaces an
 * existing file atomically.
 *
 * <p><b>Conditional create.</b> {@code ifAbsent} publishes with {@code link(2)} ({@link Files#createLink}) instead:
 * the kernel creates the final name only if nothing has it and fails with {@code EEXIST} otherwise, in one step,
 * so of any number of writers in any number of processes exactly one wins, and the name only ever points at a
 * complete, synced file. (Creating the final name with {@code CREATE_NEW} and then writing would be race-free
 * too, but readers could see a half-written file.) Where the file system has no hard links, a check-then-rename
 * under a lock is used, which is race-free only among writers in this process.
 *
 * <p><b>Confinement.</b> Keys are checked by {@link ReplicaKey}; keys whose last segment ends in {@code .tmp} are
 * refused because that suffix marks temp files. Symbolic links that lead out of the root are never followed:
 * reads and writes through one fail with {@link ReplicaFailure#INVALID}, and listings do not descend into or
 * report symbolic links at all.
 *
 * <p><b>Fencing.</b> The put's {@link PutOptions#guard()} is checked right before publishing; when it refuses, the
 * temp file is deleted and nothing appears under the key.
 *
 * <p>Thread-safe; holds no open files between calls, so {@link #close()} only stops further use.
 */
final class FileReplicaClient implements ReplicaClient {
    private static final String TEMP_SUFFIX = ".tmp";
    private static final int BUFFER = 64 * 1024;

    private final Path root;
    private final Object fallbackPublishLock = new Object();
    /** Directory fsyncs after a rename or mkdir, shared by concurrent puts (durability unchanged). */
    private final DirectorySyncs dirSyncs;
    /**
     * Directories under the root whose entry in their parent, and their parent's, up to the root, is known fsynced. A
     * directory that merely exists is not: another put may have just created it and not synced its parent yet.
     */
    private final Set<Path> durableDirs = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private FileReplicaClient(Path root, DirectorySyncs.Fsync fsync) {
        this.root = root;
        this.dirSyncs = new DirectorySyncs(fsync);
    }

    /** Opens a client on {@code root}, an absolute directory, creating it if missing. */
    static FileReplicaClient open(Path root) throws ReplicaException {
        return open(root, FileReplicaClient::fsyncDirectory);
    }

    /** As {@link #open(Path)}, with the directory fsync given (tests observe and gate it). */
    static FileReplicaClient open(Path root, DirectorySyncs.Fsync fsync) throws ReplicaException {
        try {
            Files.createDirectories(root);
            return new FileReplicaClient(root.toRealPath(), fsync);
        } catch (IOException e) {
            throw FileErrors.map("open", root, e);
        }
    }

    @Override
    public String type() {
        return "file";
    }

    @Override
    public String describe() {
        return "file://" + root;
    }

    @Override
    public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
        checkKey(key);
        Optional<java.time.Instant> createdAt = options.timestamp();
        Path target = root.resolve(key);
        Path tmp = null;
        try {
            createParents(target);
            tmp = target.resolveSibling("." + target.getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
            writeSynced(target, tmp, body, createdAt.map(FileTime::from).orElse(null));
            if (options.ifAbsent()) {
                createOnly(tmp, target, options.guard());
            } else {
                replace(tmp, target, options.guard());
            }
            tmp = null;
            dirSyncs.sync(target.getParent());
            if (createdAt.isPresent()) {
                // What was written and set: no stat (exact where the file system keeps nanoseconds, as ext4, XFS,
                // btrfs and tmpfs do; a coarser one lists the stored, truncated time later).
                return ObjectInfo.of(key, body.length(), createdAt.get());
            }
            BasicFileAttributes attrs = Files.readAttributes(target, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return ObjectInfo.of(key, attrs.size(), attrs.lastModifiedTime().toInstant());
        } catch (IOException e) {
            throw e instanceof ReplicaException re ? re : FileErrors.map("put", target, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public InputStream get(String key) throws ReplicaException {
        checkKey(key);
        Path file = existing(key, "get");
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw FileErrors.map("get", file, e);
        }
    }

    @Override
    public InputStream get(String key, long offset, long length) throws ReplicaException {
        checkKey(key);
        if (offset < 0 || length < 0) {
            throw FileErrors.of(ReplicaFailure.INVALID, "get", root.resolve(key), "offset " + offset
                    + " and length " + length + " must not be negative");
        }
        Path file = existing(key, "get");
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            try {
                ch.position(offset);
                return new BoundedInputStream(Channels.newInputStream(ch), length);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw FileErrors.map("get", file, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws ReplicaException {
        checkKey(key);
        Path file;
        try {
            file = existing(key, "stat");
        } catch (ReplicaException e) {
            if (e.failure() == ReplicaFailure.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            return Optional.of(ObjectInfo.of(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw FileErrors.map("stat", file, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws ReplicaException {
        checkOpen();
        ReplicaKey.checkPrefix(prefix);
        return FileListing.list(root, prefix, TEMP_SUFFIX);
    }

    @Override
    public void delete(Collection<String> keys) throws ReplicaException {
        checkOpen();
        for (String key : keys) {
            checkKey(key);
        }
        for (String key : keys) {
            Path file = root.resolve(key);
            try {
                if (!insideRoot(file.getParent())) {
                    continue; // absent, or behind a link out of the root: nothing of ours to delete
                }
                if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw FileErrors.map("delete", file, e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(describe() + ": client is closed");
        }
    }

    private void checkKey(String key) throws ReplicaException {
        checkOpen();
        ReplicaKey.check(key);
        if (key.endsWith(TEMP_SUFFIX)) {
            throw FileErrors.of(ReplicaFailure.INVALID, "bad key", root.resolve(key), "names ending in '"
                    + TEMP_SUFFIX + "' are reserved for temp files");
        }
    }

    /**
     * Creates missing directories up to {@code target}'s and makes its directory's name durable: fsyncs the parent of
     * each directory from there up to the first one known durable (or the root), whether this call created it or
     * another put just did (that put may not have synced its parent yet). Once per directory: then it is known.
     * Missing directories are made from the deepest existing one down (no failed {@code mkdir} first).
     */
    private void createParents(Path target) throws IOException {
        Path dir = target.getParent();
        Path existing = deepestDirectory(dir);
        if (existing == null) {
            // The replica directory itself was removed (a user emptying the replica): make it again, as at create.
            Files.createDirectories(root);
            durableDirs.clear();
            existing = root;
        }
        if (!insideRoot(existing)) {
            throw FileErrors.of(ReplicaFailure.INVALID, "put", target, "a symbolic link leads out of the root");
        }
        if (existing.equals(dir) && durableDirs.contains(dir)) {
            return;
        }
        makeBelow(existing, dir);
        List<Path> synced = new ArrayList<>();
        for (Path p = dir; !p.equals(root) && !durableDirs.contains(p); p = p.getParent()) {
            dirSyncs.sync(p.getParent());
            synced.add(p);
        }
        durableDirs.addAll(synced); // only now: each one's parents up to a durable one are synced
    }

    /**
     * {@code dir} or its nearest ancestor that is a directory, forgetting the durability of each missing one (removed
     * since it was known: made again, not durable yet); null when not even the root is one.
     */
    private Path deepestDirectory(Path dir) {
        for (Path p = dir; ; p = p.getParent()) {
            if (p.equals(root) ? root.getParent() == null || Files.isDirectory(root) : Files.isDirectory(p)) {
                return p;
            }
            durableDirs.remove(p);
            if (p.equals(root)) {
                return null;
            }
        }
    }

    /** Makes the directories from below {@code existing} down to {@code dir}; another put making one first is fine. */
    private static void makeBelow(Path existing, Path dir) throws IOException {
        for (int i = existing.getNameCount(); i < dir.getNameCount(); i++) {
            Path p = dir.getRoot().resolve(dir.subpath(0, i + 1));
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw e; // a file where a directory must be
                }
            }
        }
    }

    /** Writes {@code tmp}, gives it {@code mtime} when not null, and fsyncs it (the time with it). */
    private static void writeSynced(Path target, Path tmp, ObjectBody body, FileTime mtime) throws IOException {
        long written = 0;
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             InputStream in = body.open()) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) >= 0; ) {
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
                written += n;
            }
            if (written != body.length()) {
                throw FileErrors.of(ReplicaFailure.INVALID, "put", target, "body yielded " + written
                        + " bytes but declared " + body.length());
            }
            if (mtime != null) {
                // Both times, by path without following links: one utimensat(2). Setting only the mtime, or
                // following links, makes the JDK open the file again and stat it first.
                Files.getFileAttributeView(tmp, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(mtime, mtime, null);
            }
            out.force(true);
        }
    }

    /** Publishes {@code tmp} over {@code target} once {@code guard} (the commit point) passes. */
    private static void replace(Path tmp, Path target, PutOptions.Guard guard) throws IOException {
        guard.check(); // refused: the caller deletes the temp file
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Publishes {@code tmp} as {@code target} only if nothing has that name, once {@code guard} passes. */
    private void createOnly(Path tmp, Path target, PutOptions.Guard guard) throws IOException {
        guard.check(); // refused: the caller deletes the temp file
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            throw FileErrors.of(ReplicaFailure.PRECONDITION_FAILED, "put", target,
                    "an object already exists under the key");
        } catch (UnsupportedOperationException e) {
            synchronized (fallbackPublishLock) {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw FileErrors.of(ReplicaFailure.PRECONDITION_FAILED, "put", target,
                            "an object already exists under the key");
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
        }
        Files.delete(tmp);
    }

    /** The regular file behind a key, checked to lie inside the root. */
    private Path existing(String key, String op) throws ReplicaException {
        Path file = root.resolve(key);
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            throw FileErrors.map(op, file, e);
        }
        if (!real.startsWith(root)) {
            throw FileErrors.of(ReplicaFailure.INVALID, op, file, "a symbolic link leads out of the root");
        }
        if (!Files.isRegularFile(real)) {
            throw FileErrors.of(ReplicaFailure.NOT_FOUND, op, file, "not an object (a directory)");
        }
        return real;
    }

    /**
     * Whether {@code dir}, an existing directory under the root, really lies inside it. A client rooted at {@code /}
     * (a fleet's shared one) has nothing outside. Otherwise an lstat of each directory from {@code dir} up to the root
     * (the root included: it may have been replaced by a link since open) proves it when none is a symbolic link;
     * a link found costs a realpath, which follows it and checks where it leads.
     */
    private boolean insideRoot(Path dir) throws IOException {
        if (root.getParent() == null) {
            return true;
        }
        try {
            for (Path p = dir; p != null && p.startsWith(root); p = p.getParent()) {
                if (!Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isDirectory()) {
                    return dir.toRealPath().startsWith(root);
                }
            }
            return true;
        } catch (NoSuchFileException | NotDirectoryException e) {
            return false;
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // A stray temp file is skipped by listings; the original failure is what matters.
            }
        }
    }

    /** At most {@code remaining} bytes of a stream; closing closes the stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            this.in = in;
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return len == 0 ? 0 : -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
