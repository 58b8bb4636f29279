package io.litefleet.core;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.discovery.DiscoveryListener;
import io.litefleet.core.config.DirectoryConfig;
import io.litefleet.core.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The databases of the directory-mode {@code dbs:} entries, found by the glob discovery (one pattern per entry:
 * {@code <dir>/<pattern>}, or {@code <dir>/**}{@code /<pattern>} when recursive). An entry with {@code watch: true}
 * reports every database that appears while running, by inotify and at each scan; one without reports only the
 * databases found when it started, as upstream (which then never looks at the directory again). Thread-safe as the
 * glob discovery; the fixed sets are never changed after {@link #open}.
 */
final class DirectoryDiscovery implements Discovery {
    private final Discovery glob;
    /** For each entry without watch (by its glob pattern): the databases found at start. */
    private final Map<String, Set<Path>> fixed;

    private DirectoryDiscovery(Discovery glob, Map<String, Set<Path>> fixed) {
        this.glob = glob;
        this.fixed = fixed;
    }

    /**
     * Checks that each entry's directory exists, scans once for the entries without {@code watch}, and returns the
     * discovery; the caller closes it.
     *
     * @throws ConfigException naming the entry's file, line and {@code dir} when its directory is missing, or when an
     *                         entry without {@code watch} finds no database (upstream refuses to start then too)
     */
    static DirectoryDiscovery open(List<DirectoryConfig> dirs, PluginRegistry registry, String origin)
            throws IOException {
        for (DirectoryConfig d : dirs) {
            if (!Files.isDirectory(d.dir())) {
                throw new ConfigException(d.where() + ": directory " + d.dir() + (Files.exists(d.dir())
                        ? " is not a directory" : " does not exist") + " (" + d.describe() + ")");
            }
        }
        List<String> patterns = dirs.stream().map(DirectoryConfig::glob).toList();
        Discovery glob = registry.discovery("glob", origin)
                .create(Settings.of(origin, Map.of("patterns", patterns)));
        try {
            Map<String, Set<Path>> fixed = new HashMap<>();
            dirs.stream().filter(d -> !d.watch()).forEach(d -> fixed.put(d.glob(), new HashSet<>()));
            if (!fixed.isEmpty()) {
                glob.scan(db -> {
                    Set<Path> found = fixed.get(db.pattern());
                    if (found != null) {
                        found.add(db.path());
                    }
                });
            }
            for (DirectoryConfig d : dirs) {
                if (!d.watch() && fixed.get(d.glob()).isEmpty()) {
                    throw new ConfigException(d.where() + ": no SQLite databases found in directory " + d.dir()
                            + " with pattern " + d.pattern() + (d.recursive() ? " (recursive)" : "") + "; with "
                            + "watch: false an entry replicates the databases present at start (set watch: true to "
                            + "replicate databases created later)");
                }
            }
            fixed.replaceAll((k, v) -> Set.copyOf(v));
            return new DirectoryDiscovery(glob, Map.copyOf(fixed));
        } catch (IOException | RuntimeException e) {
            glob.close();
            throw e;
        }
    }

    /** Whether {@code db} belongs to this run: any database of a watching entry, a start-time one otherwise. */
    private boolean admits(DiscoveredDatabase db) {
        Set<Path> only = fixed.get(db.pattern());
        return only == null || only.contains(db.path());
    }

    @Override
    public void scan(Consumer<DiscoveredDatabase> sink, Predicate<Path> verified) throws IOException {
        glob.scan(db -> {
            if (admits(db)) {
                sink.accept(db);
            }
        }, verified);
    }

    @Override
    public DiscoveredDatabase probe(Path path, boolean readHeader) throws IOException {
        DiscoveredDatabase m = glob.match(path);
        return m == null || !admits(m) ? null : glob.probe(path, readHeader);
    }

    @Override
    public DiscoveredDatabase match(Path path) {
        DiscoveredDatabase m = glob.match(path);
        return m == null || !admits(m) ? null : m;
    }

    @Override
    public boolean watch(DiscoveryListener listener) throws IOException {
        return glob.watch(listener); // events for paths not admitted find nothing when probed
    }

    @Override
    public Map<String, List<String>> variableNames() {
        return glob.variableNames();
    }

    @Override
    public void close() {
        glob.close();
    }
}
