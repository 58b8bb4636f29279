package io.litefleet.api.discovery;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A SQLite database found by a {@link Discovery}.
 *
 * @param path        absolute, normalised path of the database file
 * @param pattern     the pattern that matched, as configured
 * @param variables   values captured by the pattern's wildcards, by placeholder name
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
