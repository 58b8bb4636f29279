package io.litefleet.discovery.glob;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.FileFingerprint;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One scan: walks, for each pattern in turn, only the directories that pattern can match and reports the SQLite
 * databases found. Single-use and single-threaded; its buffers and matchers are reused across all files it sees.
 *
 * <p>The walk starts in the directory named by the pattern's leading literal segments (following symlinks there,
 * as the OS resolves any configured path). Below it, a literal segment is resolved directly (one stat), a wildcard
 * segment lists its one directory, and {@code **} lists every directory below it. Entries reached below the
 * starting directory are never followed when they are symlinks, so a symlinked directory is neither listed nor
 * counted twice. A database file that is itself a symlink is not reported either; it goes to the {@code symlinks}
 * callback. A database that several patterns match is reported once, for the first of them (in configuration
 * order) that matches its path.
 */
final class GlobScan {
    private static final System.Logger LOG = System.getLogger(GlobScan.class.getName());

    private final List<GlobPattern> patterns;
    private final PatternMatcher[] matchers;
    private final Consumer<DiscoveredDatabase> sink;
    private final Consumer<Path> visited;
    private final DatabaseCheck check;
    private final java.util.function.Predicate<Path> verified;
    // reused for every leaf directory: the walk never nests two leaf listings
    private final List<Path> leafNames = new ArrayList<>();
    private final Set<String> walBases = new HashSet<>();
    private int current;

    /**
     * @param visited  called with every directory the walk enters (a test hook; a no-op in production)
     * @param verified files the caller verified before: stat-ed only, never opened (their locks are the caller's)
     * @param symlinks called with every candidate file that is a symlink (never followed)
     */
    GlobScan(List<GlobPattern> patterns, Consumer<DiscoveredDatabase> sink, Consumer<Path> visited,
             java.util.function.Predicate<Path> verified, Consumer<Path> symlinks) {
        this.verified = verified;
        this.check = new DatabaseCheck(symlinks);
        this.patterns = patterns;
        this.matchers = new PatternMatcher[patterns.size()];
        for (int k = 0; k < matchers.length; k++) {
            matchers[k] = new PatternMatcher(patterns.get(k));
        }
        this.sink = sink;
        this.visited = visited;
    }

    /** Runs the scan below {@code root} (the file system root the absolute patterns are resolved against). */
    void run(Path root) {
        for (current = 0; current < patterns.size(); current++) {
            GlobPattern pattern = patterns.get(current);
            int start = pattern.literalPrefixLength();
            walk(pattern.directory(root, start), start);
        }
    }

    private void walk(Path dir, int i) {
        visited.accept(dir);
        GlobPattern pattern = patterns.get(current);
        Segment segment = pattern.segment(i);
        if (pattern.isLast(i)) {
            if (segment instanceof Segment.Literal literal) {
                candidate(dir.resolve(literal.name()), literal.name(), i, true);
            } else {
                leaf(dir, i);
            }
            return;
        }
        switch (segment) {
            case Segment.Literal literal -> {
                Path child = dir.resolve(literal.name());
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    walk(child, i + 1);
                }
            }
            case Segment.Wildcard wildcard -> {
                PatternMatcher m = matchers[current];
                for (Path child : list(dir)) {
                    // captures are recorded before descending; deeper levels only write their own slots
                    if (m.capture(i, child.getFileName().toString())
                            && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        walk(child, i + 1);
                    }
                }
            }
            case Segment.AnyDirectories any -> {
                walk(dir, i + 1);
                for (Path child : list(dir)) {
                    if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        walk(child, i);
                    }
                }
            }
        }
    }

    /** Lists an intermediate directory fully before descending, so at most one directory is open at a time. */
    private List<Path> list(Path dir) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path child : entries) {
                children.add(child);
            }
        } catch (IOException | DirectoryIteratorException e) {
            skipped(dir, e);
        }
        return children;
    }

    /**
     * The file segment is a wildcard: one listing gives the candidates and tells which have a {@code -wal}; they
     * are then checked relative to the still open directory where the platform allows it.
     */
    private void leaf(Path dir, int i) {
        leafNames.clear();
        walBases.clear();
        PatternMatcher m = matchers[current];
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path child : entries) {
                Path name = child.getFileName();
                String text = name.toString();
                if (text.endsWith("-wal")) {
                    walBases.add(text.substring(0, text.length() - 4));
                } else if (!DatabaseCheck.isAuxiliary(text) && m.accepts(i, text)) {
                    leafNames.add(name);
                }
            }
            SecureDirectoryStream<Path> open = entries instanceof SecureDirectoryStream<Path> s ? s : null;
            for (Path name : leafNames) {
                candidate(open, dir, name, i);
            }
        } catch (IOException | DirectoryIteratorException e) {
            skipped(dir, e);
        }
    }

    private void candidate(SecureDirectoryStream<Path> open, Path dir, Path name, int i) {
        Path file = dir.resolve(name);
        if (claimedByEarlierPattern(file)) {
            return;
        }
        String text = name.toString();
        FileFingerprint fingerprint;
        try {
            boolean walMayExist = walBases.contains(text);
            boolean readHeader = !verified.test(file);
            fingerprint = open != null ? check.fingerprint(open, file, walMayExist, readHeader)
                    : check.fingerprint(file, walMayExist, readHeader);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "skipping unreadable file {0}: {1}", file, e.toString());
            return;
        }
        emit(file, text, i, fingerprint);
    }

    private void candidate(Path file, String name, int i, boolean walMayExist) {
        if (claimedByEarlierPattern(file)) {
            return;
        }
        FileFingerprint fingerprint;
        try {
            fingerprint = check.fingerprint(file, walMayExist, !verified.test(file));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "skipping unreadable file {0}: {1}", file, e.toString());
            return;
        }
        emit(file, name, i, fingerprint);
    }

    private void emit(Path file, String name, int i, FileFingerprint fingerprint) {
        if (fingerprint == null) {
            return;
        }
        PatternMatcher m = matchers[current];
        m.capture(i, name);
        sink.accept(new DiscoveredDatabase(file, m.pattern().text(), m.variables(), fingerprint));
    }

    private boolean claimedByEarlierPattern(Path file) {
        for (int k = 0; k < current; k++) {
            if (matchers[k].matches(file)) {
                return true;
            }
        }
        return false;
    }

    private static void skipped(Path dir, Exception e) {
        Throwable cause = e instanceof DirectoryIteratorException d ? d.getCause() : e;
        if (cause instanceof NoSuchFileException || cause instanceof NotDirectoryException) {
            return; // vanished since its parent was listed, or never there: nothing to report
        }
        String why = cause instanceof AccessDeniedException ? "permission denied" : cause.toString();
        LOG.log(Level.WARNING, "skipping unreadable directory {0}: {1}", dir, why);
    }
}
