package io.litefleet.core.cli;

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

/**
 * A discovery that never reports the databases listed under {@code dbs:}: those are replicated as configured there,
 * and the fleet must not start a second replicator on them. Everything else is the wrapped discovery's.
 */
final class LeavingOutDiscovery implements Discovery {
    private final Discovery delegate;
    private final Set<Path> leftOut;

    private LeavingOutDiscovery(Discovery delegate, Set<Path> leftOut) {
        this.delegate = delegate;
        this.leftOut = leftOut;
    }

    /** {@code delegate} without {@code leftOut} (compared as absolute, normalised paths); itself when empty. */
    static Discovery of(Discovery delegate, Set<Path> leftOut) {
        if (leftOut.isEmpty()) {
            return delegate;
        }
        return new LeavingOutDiscovery(delegate, leftOut.stream().map(LeavingOutDiscovery::canonical)
                .collect(Collectors.toUnmodifiableSet()));
    }

    private boolean isLeftOut(Path p) {
        return leftOut.contains(canonical(p));
    }

    private static Path canonical(Path p) {
        return p.toAbsolutePath().normalize();
    }

    @Override
    public void scan(Consumer<DiscoveredDatabase> sink, Predicate<Path> verified) throws IOException {
        delegate.scan(db -> {
            if (!isLeftOut(db.path())) {
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
