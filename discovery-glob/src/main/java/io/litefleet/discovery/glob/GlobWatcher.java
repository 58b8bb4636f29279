package io.litefleet.discovery.glob;

import io.litefleet.api.discovery.DiscoveryListener;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches the directories the patterns can match, and reports changed databases to one listener from one owned
 * daemon thread, {@code litefleet-watch-0}.
 *
 * <p>Watched: every directory the scan walk would enter (the deepest existing directory of each pattern's literal
 * prefix, and every matching directory below it), so a new file in a leaf directory and a new directory at any
 * level are both seen. A new matching directory is registered first and then listed, so files created in it
 * before its watch existed are reported too. Events on {@code x.db-wal}, {@code x.db-shm} and {@code x.db-journal}
 * are reported as {@code x.db}; deletions are reported like changes (a probe then returns {@code null}). A directory
 * renamed inside the tree is watched and listed under its new name; a pattern whose top watched directory is deleted
 * watches its nearest existing ancestor again.
 *
 * <p>Lost events: a queue overflow, and a registration refused because the watch table is full, are reported
 * through {@link DiscoveryListener#overflowed} (at the first overflow of a burst, and every ten seconds while it
 * lasts) and
 * {@link DiscoveryListener#incomplete} (a full watch table, once per watcher; the watch thread stopping). Watching
 * continues with what is registered; the caller falls back to periodic scans.
 *
 * <p>Thread confinement: {@link #start} registers on the calling thread, then hands everything to the watch
 * thread; only {@link #close} is called from elsewhere.
 */
final class GlobWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GlobWatcher.class.getName());
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    /** Overflows seen while one report is fresh are not reported again, unless the queue drained in between. */
    private static final long OVERFLOW_REPEAT_NANOS = Duration.ofSeconds(10).toNanos();

    private final List<PatternMatcher> matchers = new ArrayList<>();
    private final Path root;
    private final WatchService service;
    private final WatchSupport support;
    private final DiscoveryListener listener;
    private final Map<WatchKey, WatchedDirectory> watched = new HashMap<>();
    private final Set<Path> reported = new HashSet<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;
    /** Per pattern, the key of the directory {@link #registerPattern} watched: when it dies, the pattern climbs. */
    private final WatchKey[] rootKeys;
    private boolean limitReported;
    private String pendingIncomplete;

    private GlobWatcher(List<GlobPattern> patterns, Path root, WatchService service, WatchSupport support,
                        DiscoveryListener listener) {
        for (GlobPattern p : patterns) {
            matchers.add(new PatternMatcher(p));
        }
        this.root = root;
        this.service = service;
        this.support = support;
        this.listener = listener;
        this.rootKeys = new WatchKey[patterns.size()];
        this.thread = Thread.ofPlatform().name("litefleet-watch-0").daemon(true).unstarted(this::run);
    }

    /**
     * Registers the directories of all patterns, then starts the watch thread. Every directory that existed when
     * this returns is watched (unless the watch table ran out).
     *
     * @param service closed by the returned watcher
     */
    static GlobWatcher start(List<GlobPattern> patterns, Path root, WatchService service, WatchSupport support,
                             DiscoveryListener listener) {
        GlobWatcher w = new GlobWatcher(patterns, root, service, support, listener);
        for (int p = 0; p < patterns.size(); p++) {
            w.registerPattern(p, false);
        }
        w.thread.start();
        return w;
    }

    /**
     * Watches the deepest existing directory of pattern {@code p}'s literal prefix and everything below it, and
     * remembers its key: nothing above it is watched, so when it is deleted or moved away the pattern climbs again.
     */
    private void registerPattern(int p, boolean report) {
        GlobPattern pattern = matchers.get(p).pattern();
        int start = pattern.literalPrefixLength();
        // when the prefix does not exist yet, watch its deepest existing ancestor so its creation is seen
        while (start > 0 && !Files.isDirectory(pattern.directory(root, start))) {
            start--;
        }
        Path dir = pattern.directory(root, start);
        WatchKey key = watch(dir);
        if (key == null) {
            return;
        }
        rootKeys[p] = key;
        if (directory(key, dir).add(p, start)) {
            expand(dir, p, start, report);
        }
    }

    /**
     * Watches {@code dir} as a directory whose children match segment {@code i} of pattern {@code p}, and everything
     * below it that can match. When {@code report}, also reports the files already there.
     */
    private void register(Path dir, int p, int i, boolean report) {
        WatchKey key = watch(dir);
        if (key != null && directory(key, dir).add(p, i)) {
            expand(dir, p, i, report);
        }
    }

    /** Watches what below {@code dir}, newly recorded with step (p, i), can match; reports its files when asked. */
    private void expand(Path dir, int p, int i, boolean report) {
        PatternMatcher m = matchers.get(p);
        GlobPattern pattern = m.pattern();
        Segment segment = pattern.segment(i);
        if (segment instanceof Segment.AnyDirectories) {
            register(dir, p, i + 1, report);
            for (Path child : subdirectories(dir)) {
                register(child, p, i, report);
            }
        } else if (pattern.isLast(i)) {
            if (report) {
                reportExisting(dir, m, i);
            }
        } else if (segment instanceof Segment.Literal literal) {
            Path child = dir.resolve(literal.name());
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                register(child, p, i + 1, report);
            }
        } else {
            for (Path child : subdirectories(dir)) {
                if (m.accepts(i, child.getFileName().toString())) {
                    register(child, p, i + 1, report);
                }
            }
        }
    }

    /** Registers {@code dir} with the watch service; its key (the same for the same directory), or null. */
    private WatchKey watch(Path dir) {
        try {
            return support.register(dir, service);
        } catch (NoSuchFileException | NotDirectoryException gone) {
            return null;
        } catch (AccessDeniedException e) {
            LOG.log(Level.WARNING, "cannot watch unreadable directory {0}", dir);
            return null;
        } catch (IOException e) {
            if (!limitReported) {
                limitReported = true;
                incomplete("cannot watch " + dir + " (" + e.getMessage() + "); further directories are not watched");
            }
            return null;
        }
    }

    /**
     * The record of {@code key}, now known as {@code dir}. A directory renamed inside the tree keeps its key (the
     * same inode), so a key found under another path that no longer leads to it starts over under the new path:
     * its steps are dropped and re-added by the registration that found it, which also lists it.
     */
    private WatchedDirectory directory(WatchKey key, Path dir) {
        WatchedDirectory known = watched.get(key);
        if (known == null || (!known.path().equals(dir) && !sameDirectory(known.path(), dir))) {
            known = new WatchedDirectory(dir);
            watched.put(key, known);
        }
        return known;
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b); // the old path may still lead there (a symlinked prefix)
        } catch (IOException gone) {
            return false;
        }
    }

    private void run() {
        if (pendingIncomplete != null) {
            notifyIncomplete(pendingIncomplete);
            pendingIncomplete = null;
        }
        boolean burst = false; // an overflow was reported and the queue has not drained since
        long reportedAt = 0;
        try {
            while (!closed.get()) {
                WatchKey key = service.poll();
                if (key == null) {
                    burst = false;
                    key = service.take();
                }
                if (process(key)) {
                    // At once, not after the queue drains (under sustained load it may never): the caller scans
                    // now. A burst (inotify signals an overflow on every key) is reported once, and again every
                    // OVERFLOW_REPEAT while it lasts.
                    long now = System.nanoTime();
                    if (!burst || now - reportedAt >= OVERFLOW_REPEAT_NANOS) {
                        burst = true;
                        reportedAt = now;
                        notifyOverflow("the file system event queue overflowed; events were lost");
                    }
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException stop) {
            // close() closed the service: the normal way out
        } catch (Throwable e) {
            // an Error too: a silently dead watch thread would leave the watch looking healthy
            LOG.log(Level.ERROR, "the discovery watch stopped", e);
            if (!closed.get()) {
                notifyIncomplete("the watch stopped: " + e);
            }
        }
    }

    /** Handles one key's events; true when they include an overflow. */
    private boolean process(WatchKey key) {
        boolean overflow = false;
        WatchedDirectory dir = watched.get(key);
        reported.clear();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                overflow = true;
            } else if (dir != null && event.context() instanceof Path name) {
                boolean created = event.kind() == StandardWatchEventKinds.ENTRY_CREATE;
                for (int s = 0; s < dir.size(); s++) {
                    handle(dir.path(), dir.pattern(s), dir.segment(s), name.toString(), created);
                }
            }
        }
        if (!key.reset()) {
            watched.remove(key); // the directory is gone; its files' deletions were reported by their own events
            for (int p = 0; p < rootKeys.length; p++) {
                if (rootKeys[p] == key) {
                    registerPattern(p, true); // nothing above it was watched: climb, and list what is there now
                }
            }
        }
        return overflow;
    }

    private void handle(Path dir, int p, int i, String name, boolean created) {
        PatternMatcher m = matchers.get(p);
        GlobPattern pattern = m.pattern();
        Segment segment = pattern.segment(i);
        if (segment instanceof Segment.AnyDirectories) {
            if (created && Files.isDirectory(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                register(dir.resolve(name), p, i, true);
            }
        } else if (pattern.isLast(i)) {
            String base = DatabaseCheck.auxiliaryBase(name);
            String db = base == null ? name : base;
            if (m.accepts(i, db)) {
                report(dir.resolve(db));
            }
        } else if (created && m.accepts(i, name) && Files.isDirectory(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
            register(dir.resolve(name), p, i + 1, true);
        }
    }

    private void reportExisting(Path dir, PatternMatcher m, int i) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path child : entries) {
                String name = child.getFileName().toString();
                if (!DatabaseCheck.isAuxiliary(name) && m.accepts(i, name)) {
                    report(child);
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            LOG.log(Level.DEBUG, "cannot list new directory {0}: {1}", dir, e.toString());
        }
    }

    private static List<Path> subdirectories(Path dir) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path child : entries) {
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    children.add(child);
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            LOG.log(Level.DEBUG, "cannot list {0} to watch it: {1}", dir, e.toString());
        }
        return children;
    }

    private void report(Path db) {
        if (!reported.add(db)) {
            return;
        }
        try {
            listener.changed(db);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "discovery listener failed on " + db, e);
        }
    }

    private void incomplete(String reason) {
        if (Thread.currentThread() == thread) {
            notifyIncomplete(reason);
        } else {
            pendingIncomplete = reason; // the listener is only ever called from the watch thread
        }
    }

    private void notifyIncomplete(String reason) {
        try {
            listener.incomplete(reason);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "discovery listener failed on an incomplete watch", e);
        }
    }

    private void notifyOverflow(String reason) {
        try {
            listener.overflowed(reason);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "discovery listener failed on overflow", e);
        }
    }

    /** Stops the thread and closes the watch service. Idempotent; safe from any thread, including the listener's. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            service.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the watch service failed", e);
        }
        if (Thread.currentThread() != thread) {
            try {
                if (!thread.join(CLOSE_GRACE)) {
                    LOG.log(Level.WARNING, "watch thread did not stop within {0}", CLOSE_GRACE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A watched directory and the (pattern, segment) steps its children are matched against. */
    private static final class WatchedDirectory {
        private final Path path;
        private final List<int[]> steps = new ArrayList<>(1);

        WatchedDirectory(Path path) {
            this.path = path;
        }

        Path path() {
            return path;
        }

        int size() {
            return steps.size();
        }

        int pattern(int s) {
            return steps.get(s)[0];
        }

        int segment(int s) {
            return steps.get(s)[1];
        }

        boolean add(int p, int i) {
            for (int[] step : steps) {
                if (step[0] == p && step[1] == i) {
                    return false;
                }
            }
            return steps.add(new int[] {p, i});
        }
    }
}
