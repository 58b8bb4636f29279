package io.litefleet.api.discovery;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A SQLite database found by a {@link Discovery}.
 *
 * @param path        absolute, normalised path of the database file
 * @param pattern     the pattern that matched, as configured
 * @param variables   values captured by the pattern's wildcards. Keys: the name of a named capture
 *                    ({@code /data/{project}/...} gives {@code project}); else the singular of the directory
 *                    just before the wildcard ({@code databases/*} gives {@code database}, {@code tenants/*.db}
 *                    gives {@code tenant}); wildcards bound by neither appear as {@code #1}, {@code #2}, ... in
 *                    pattern order, for the template's positional rule
 * @param fingerprint size and mtime of the database and its {@code -wal} when it was seen
 */
public record DiscoveredDatabase(Path path, String pattern, Map<String, String> variables,
                                 FileFingerprint fingerprint) {
    /** Validates and copies. */
    public DiscoveredDatabase {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("path must be absolute: " + path);
        }
        variables = Map.copyOf(variables);
    }
}
