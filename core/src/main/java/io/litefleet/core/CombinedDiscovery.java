package io.litefleet.core;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.discovery.DiscoveryListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Two discoveries as one fleet sees them: the directory-mode entries first, then the {@code multi-db:} patterns. A
 * database both find belongs to the first (its pattern and replicas), as a glob discovery attributes a database to
 * its first matching pattern; the second one's scan leaves it out by matching its path as text, which costs no I/O.
 * (A database the first does not admit, such as one created after the start under a directory entry without
 * {@code watch}, is left to the second.) Thread-safe as its parts; owns both.
 */
final class CombinedDiscovery implements Discovery {
    private final Discovery first;
    private final Discovery second;

    private CombinedDiscovery(Discovery first, Discovery second) {
        this.first = first;
        this.second = second;
    }

    /** {@code first}, then {@code second}; closing the result closes both. */
    static Discovery of(Discovery first, Discovery second) {
        return new CombinedDiscovery(first, second);
    }

    @Override
    public void scan(Consumer<DiscoveredDatabase> sink, Predicate<Path> verified) throws IOException {
        first.scan(sink, verified);
        second.scan(db -> {
            if (first.match(db.path()) == null) {
                sink.accept(db);
            }
        }, verified);
    }

    @Override
    public DiscoveredDatabase probe(Path path, boolean readHeader) throws IOException {
        return first.match(path) != null ? first.probe(path, readHeader) : second.probe(path, readHeader);
    }

    @Override
    public DiscoveredDatabase match(Path path) {
        DiscoveredDatabase m = first.match(path);
        return m != null ? m : second.match(path);
    }

    /** Watches with both; false (rely on scans) when either cannot watch. */
    @Override
    public boolean watch(DiscoveryListener listener) throws IOException {
        boolean a = first.watch(listener);
        return second.watch(listener) && a;
    }

    @Override
    public Map<String, List<String>> variableNames() {
        Map<String, List<String>> all = new LinkedHashMap<>(first.variableNames());
        all.putAll(second.variableNames());
        return java.util.Collections.unmodifiableMap(all);
    }

    @Override
    public void close() {
        try {
            first.close();
        } finally {
            second.close();
        }
    }
}
