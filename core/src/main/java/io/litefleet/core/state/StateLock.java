package io.litefleet.core.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Keeps two replicating processes from shipping the same database, while several processes on different databases
 * share one state directory (as upstream, which keeps its state per database, lets them):
 * <ul>
 * <li>a process replicating {@code dbs:} entries holds a <em>shared</em> lock on {@code replicate.lock} and an
 *     exclusive lock per database ({@code locks/<hash of the path>.lock}, holding the owner's pid), so a second
 *     process on another database starts, and one on the same database is refused naming it and the owner;</li>
 * <li>a fleet-mode process (its patterns may match any database, now or later) holds {@code replicate.lock}
 *     exclusively: it runs alone on its state directory.</li>
 * </ul>
 * The locks are the operating system's (released when a process dies). Readers ({@code litefleet databases}) need
 * none. Within one JVM, several instances share the directory's shared lock (counted); the same database twice is
 * refused as across processes. Held until {@link #close()}.
 */
public final class StateLock implements AutoCloseable {
    /** The directory lock file. */
    public static final String FILE_NAME = "replicate.lock";
    private static final Map<Path, DirHold> HELD = new HashMap<>();
    /**
     * Database lock files this JVM holds (guarded by {@link #HELD}): checked before a channel is opened, because on
     * Linux closing any channel of a file drops every lock the process holds on it.
     */
    private static final java.util.Set<Path> HELD_DBS = new java.util.HashSet<>();

    private final Path dir;
    private final List<FileChannel> dbLocks;
    private final List<Path> dbFiles = new ArrayList<>();
    private boolean closed;

    /** The JVM's hold on one directory's lock file. Guarded by {@link #HELD}. */
    private static final class DirHold {
        final FileChannel channel;
        final boolean exclusive;
        int users = 1;

        DirHold(FileChannel channel, boolean exclusive) {
            this.channel = channel;
            this.exclusive = exclusive;
        }
    }

    private StateLock(Path dir, List<FileChannel> dbLocks) {
        this.dir = dir;
        this.dbLocks = dbLocks;
    }

    /** The whole directory, for a fleet-mode process (or a tool that must run alone); fails naming the directory. */
    public static StateLock acquire(Path stateDir) throws IOException {
        return acquire(stateDir, List.of(), true);
    }

    /**
     * The locks for replicating {@code dbs}: the directory exclusively when {@code wholeDirectory} (fleet mode),
     * else shared, plus one lock per database. Fails naming the database (and the owner's pid when it is known) or
     * the directory.
     */
    public static StateLock acquire(Path stateDir, Collection<Path> dbs, boolean wholeDirectory) throws IOException {
        Files.createDirectories(stateDir);
        Path dir = stateDir.toAbsolutePath().normalize();
        holdDirectory(dir, wholeDirectory);
        List<FileChannel> locks = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try {
            if (!dbs.isEmpty()) {
                Files.createDirectories(dir.resolve("locks"));
            }
            for (Path db : dbs) {
                locks.add(lockDatabase(dir, db, files));
            }
        } catch (IOException | RuntimeException e) {
            for (FileChannel c : locks) {
                closeQuietly(c);
            }
            forget(files);
            releaseDirectory(dir);
            throw e;
        }
        StateLock lock = new StateLock(dir, locks);
        lock.dbFiles.addAll(files);
        return lock;
    }

    private static void holdDirectory(Path dir, boolean exclusive) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        synchronized (HELD) {
            DirHold h = HELD.get(dir);
            if (h != null) {
                if (h.exclusive || exclusive) {
                    throw new IOException(dir + ": another litefleet replicate in this process is using this state "
                            + "directory" + (h.exclusive ? " in fleet mode, which needs it alone" : "")
                            + "; use another --state-dir");
                }
                h.users++;
                return;
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock(0, Long.MAX_VALUE, !exclusive);
            } catch (OverlappingFileLockException e) {
                l = null;
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            if (l == null) {
                ch.close();
                throw new IOException(dir + ": another litefleet replicate process is using this state directory "
                        + (exclusive ? "(fleet mode needs it alone; " : "in fleet mode, which needs it alone (")
                        + file + " is locked); stop it or use another --state-dir");
            }
            HELD.put(dir, new DirHold(ch, exclusive));
        }
    }

    private static void releaseDirectory(Path dir) {
        synchronized (HELD) {
            DirHold h = HELD.get(dir);
            if (h != null && --h.users == 0) {
                HELD.remove(dir);
                closeQuietly(h.channel);
            }
        }
    }

    private static FileChannel lockDatabase(Path dir, Path db, List<Path> files) throws IOException {
        String name = db.toAbsolutePath().normalize().toString();
        Path file = dir.resolve("locks").resolve(hash(name) + ".lock");
        synchronized (HELD) {
            if (!HELD_DBS.add(file)) {
                throw new IOException(name + ": another litefleet replicate in this process is replicating this "
                        + "database; two must not ship one database");
            }
        }
        files.add(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            String owner = owner(ch);
            ch.close();
            throw new IOException(name + ": another litefleet replicate process" + owner + " is replicating this "
                    + "database with state directory " + dir + " (" + file + " is locked); two processes must not "
                    + "ship one database: stop it, or leave this database out of one of the configs");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + " " + name + "\n")
                .getBytes(StandardCharsets.UTF_8)), 0);
        return ch;
    }

    /** " (pid N)" from a lock file's content, or "" when it cannot be read. */
    private static String owner(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            int sp = s.indexOf(' ');
            return sp > 0 && s.substring(0, sp).chars().allMatch(Character::isDigit) ? " (pid " + s.substring(0, sp)
                    + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String hash(String path) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing releases the lock; nothing else to do
        }
    }

    /**
     * Releases the lock of {@code db} alone (a database unregistered at runtime: another process may replicate it
     * now); false when this lock does not hold it.
     */
    public boolean release(Path db) {
        Path file = dir.resolve("locks").resolve(hash(db.toAbsolutePath().normalize().toString()) + ".lock");
        synchronized (HELD) {
            int i = dbFiles.indexOf(file);
            if (closed || i < 0) {
                return false;
            }
            closeQuietly(dbLocks.remove(i));
            dbFiles.remove(i);
            HELD_DBS.remove(file);
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (FileChannel c : dbLocks) {
            closeQuietly(c);
        }
        forget(dbFiles);
        releaseDirectory(dir);
    }

    private static void forget(List<Path> files) {
        synchronized (HELD) {
            files.forEach(HELD_DBS::remove);
        }
    }
}
