package io.litefleet.discovery.glob;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.discovery.DiscoveryListener;
import io.litefleet.api.discovery.FileFingerprint;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * {@link Discovery} over a list of {@link GlobPattern}s. Thread-safe: {@link #scan} and {@link #probe} keep their
 * state per call and may run concurrently with each other and with the watch thread.
 *
 * <p>Attribution: a database matched by several patterns belongs to the first pattern, in configuration order,
 * whose text matches its path; {@link #scan} reports it once and {@link #probe} returns the same pattern and
 * variables. Symlinks: directories and files reached through a wildcard, {@code **} or a literal segment after the
 * first wildcard are not followed; a symlink in the leading literal part of a pattern is (it is a configured path).
 * A database file that is a symlink is never reported: one file behind two links (or behind a link and its own
 * path) would be replicated twice, to two replica paths. Each such link is logged once per discovery, saying where
 * it points and how to replicate it. {@link #probe} checks only the file itself, not its directories.
 */
final class GlobDiscovery implements Discovery {
    private static final System.Logger LOG = System.getLogger(GlobDiscovery.class.getName());

    private final List<GlobPattern> patterns;
    private final Path root;
    private final Consumer<Path> visited;
    private final WatchSupport watchSupport;
    private final Map<String, List<String>> variableNames;
    /** Symlinked database files already logged: one line per link, whatever scans and events meet it again. */
    private final Set<Path> linksLogged = ConcurrentHashMap.newKeySet();
    private GlobWatcher watcher;
    private boolean closed;

    /**
     * @param patterns     at least one, distinct texts
     * @param visited      called with every directory a scan enters; a test hook
     * @param watchSupport where {@link #watch} gets its watch service
     */
    GlobDiscovery(List<GlobPattern> patterns, Consumer<Path> visited, WatchSupport watchSupport) {
        if (patterns.isEmpty()) {
            throw new IllegalArgumentException("at least one pattern");
        }
        this.patterns = List.copyOf(patterns);
        this.root = FileSystems.getDefault().getRootDirectories().iterator().next();
        this.visited = Objects.requireNonNull(visited, "visited");
        this.watchSupport = Objects.requireNonNull(watchSupport, "watchSupport");
        Map<String, List<String>> names = new LinkedHashMap<>();
        for (GlobPattern p : this.patterns) {
            if (names.put(p.text(), p.variableNames()) != null) {
                throw new IllegalArgumentException("pattern listed twice: " + p.text());
            }
        }
        this.variableNames = java.util.Collections.unmodifiableMap(names);
    }

    /** A discovery over {@code patterns} using the default file system's watch service. */
    static GlobDiscovery of(List<GlobPattern> patterns) {
        return new GlobDiscovery(patterns, dir -> { }, WatchSupport.DEFAULT);
    }

    @Override
    public void scan(Consumer<DiscoveredDatabase> sink) {
        scan(sink, p -> false);
    }

    @Override
    public void scan(Consumer<DiscoveredDatabase> sink, java.util.function.Predicate<Path> verified) {
        Objects.requireNonNull(sink, "sink");
        new GlobScan(patterns, sink, visited, verified, this::symlinkSkipped).run(root);
    }

    @Override
    public DiscoveredDatabase match(Path path) {
        Path file = path.toAbsolutePath().normalize();
        Path name = file.getFileName();
        if (name == null || DatabaseCheck.isAuxiliary(name.toString())) {
            return null;
        }
        for (GlobPattern pattern : patterns) {
            PatternMatcher m = new PatternMatcher(pattern);
            if (m.matches(file)) {
                return new DiscoveredDatabase(file, pattern.text(), m.variables(), FileFingerprint.ABSENT);
            }
        }
        return null;
    }

    @Override
    public DiscoveredDatabase probe(Path path, boolean readHeader) throws IOException {
        DiscoveredDatabase m = match(path);
        if (m == null) {
            return null;
        }
        FileFingerprint fingerprint = new DatabaseCheck(this::symlinkSkipped).fingerprint(m.path(), true, readHeader);
        return fingerprint == null ? null : new DiscoveredDatabase(m.path(), m.pattern(), m.variables(), fingerprint);
    }

    /**
     * Says once per link why a symlink a pattern matches is not replicated. Only the link's target is stat-ed, never
     * opened: closing a descriptor of a database drops every lock this process holds on it, and the target may be a
     * database replicated under its own path.
     */
    private void symlinkSkipped(Path link) {
        if (!linksLogged.add(link)) {
            return;
        }
        Path target;
        try {
            target = link.toRealPath();
        } catch (IOException dangling) {
            return; // nothing there to replicate
        }
        if (!Files.isRegularFile(target)) {
            return;
        }
        DiscoveredDatabase own = match(target);
        if (own != null) {
            LOG.log(Level.INFO, () -> link + " is a symlink to " + target + ", which pattern '" + own.pattern()
                    + "' finds under its own path; the link is not replicated separately");
        } else {
            LOG.log(Level.WARNING, () -> link + " is a symlink to " + target + ": NOT REPLICATED. Fleet mode does "
                    + "not follow symlinked database files (a file behind two links would be replicated twice); list "
                    + "the link under dbs: (which follows it), or let a pattern match " + target);
        }
    }

    /**
     * Starts the watch thread (see {@link GlobWatcher}). Once per discovery.
     *
     * @return false when no watch service can be created (for example when inotify instances ran out)
     * @throws IllegalStateException when already watching or closed
     */
    @Override
    public synchronized boolean watch(DiscoveryListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (closed || watcher != null) {
            throw new IllegalStateException(closed ? "discovery is closed" : "already watching");
        }
        WatchService service;
        try {
            service = watchSupport.newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.WARNING, "file system watching unavailable, relying on periodic scans: {0}", e.toString());
            return false;
        }
        watcher = GlobWatcher.start(patterns, root, service, watchSupport, listener);
        return true;
    }

    @Override
    public Map<String, List<String>> variableNames() {
        return variableNames;
    }

    /** Stops the watch thread, if any, and closes its watch service. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (watcher != null) {
            watcher.close();
        }
    }

    @Override
    public String toString() {
        return "glob discovery " + variableNames.keySet();
    }
}
