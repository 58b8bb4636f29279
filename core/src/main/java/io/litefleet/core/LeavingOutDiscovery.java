package io.litefleet.core;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.discovery.DiscoveryListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A discovery that never reports the databases listed under {@code dbs:}, nor anything in the state directory. The
 * former are replicated as configured there, and the fleet must not start a second replicator on them; the latter
 * holds the catalog, which changes at every sync, so replicating it would replicate forever. Everything else is the
 * wrapped discovery's.
 */
final class LeavingOutDiscovery implements Discovery {
    private final Discovery delegate;
    private final Set<Path> leftOut;
    private final List<Path> leftOutDirs;

    private LeavingOutDiscovery(Discovery delegate, Set<Path> leftOut, List<Path> leftOutDirs) {
        this.delegate = delegate;
        this.leftOut = leftOut;
        this.leftOutDirs = leftOutDirs;
    }

    /**
     * {@code delegate} without the files {@code leftOut} and without anything under {@code stateDir}, each compared
     * as written (absolute, normalised) and as its real path, so a {@code dbs:} entry that is a symlink also keeps
     * the fleet off its target: one file never gets two replicators.
     */
    static LeavingOutDiscovery of(Discovery delegate, Set<Path> leftOut, Path stateDir) {
        return new LeavingOutDiscovery(delegate, leftOut.stream().flatMap(LeavingOutDiscovery::spellings)
                .collect(Collectors.toUnmodifiableSet()), spellings(stateDir).distinct().toList());
    }

    /** Why the fleet leaves {@code p} out (listed under dbs:, or in the state directory), if it does. */
    java.util.Optional<String> whyLeftOut(Path p) {
        Path c = canonical(p);
        if (leftOut.contains(c)) {
            return java.util.Optional.of("listed under dbs: (replicated there, not by the fleet)");
        }
        return isLeftOutCanonical(c) ? java.util.Optional.of("inside the state directory") : java.util.Optional.empty();
    }

    private boolean isLeftOut(Path p) {
        return isLeftOutCanonical(canonical(p));
    }

    /** As {@link #isLeftOut} for a path already absolute and normalised (a scan's: allocates nothing). */
    private boolean isLeftOutCanonical(Path c) {
        if (leftOut.contains(c)) {
            return true;
        }
        for (Path dir : leftOutDirs) {
            if (c.startsWith(dir)) {
                return true;
            }
        }
        return false;
    }

    private static Path canonical(Path p) {
        return p.toAbsolutePath().normalize();
    }

    /** The path as written and, when it exists, as its real path (symlinks resolved). */
    private static Stream<Path> spellings(Path p) {
        Path c = canonical(p);
        try {
            return Stream.of(c, c.toRealPath());
        } catch (IOException e) {
            return Stream.of(c);
        }
    }

    @Override
    public void scan(Consumer<DiscoveredDatabase> sink, Predicate<Path> verified) throws IOException {
        delegate.scan(db -> {
            if (!isLeftOutCanonical(db.path())) { // DiscoveredDatabase paths are absolute and normalised
                sink.accept(db);
            }
        }, verified);
    }

    @Override
    public DiscoveredDatabase probe(Path path, boolean readHeader) throws IOException {
        return isLeftOut(path) ? null : delegate.probe(path, readHeader);
    }

    @Override
    public DiscoveredDatabase match(Path path) {
        return isLeftOut(path) ? null : delegate.match(path);
    }

    @Override
    public boolean watch(DiscoveryListener listener) throws IOException {
        return delegate.watch(new DiscoveryListener() {
            @Override
            public void changed(Path path) {
                if (!isLeftOut(path)) {
                    listener.changed(path);
                }
            }

            @Override
            public void overflowed(String reason) {
                listener.overflowed(reason);
            }

            @Override
            public void incomplete(String reason) {
                listener.incomplete(reason);
            }
        });
    }

    @Override
    public Map<String, List<String>> variableNames() {
        return delegate.variableNames();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
