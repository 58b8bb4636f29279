package io.litefleet.core.cli;

import io.litefleet.core.config.LitefleetConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A configuration file and how it is read: upstream's {@code -config} and {@code -no-expand-env}.
 *
 * @param path      the file
 * @param expandEnv whether {@code $VAR} and {@code ${VAR}} are expanded from the environment
 */
record ConfigFile(Path path, boolean expandEnv) {
    /** Validates. */
    ConfigFile {
        Objects.requireNonNull(path, "path");
    }

    /** Loads and validates it. */
    LitefleetConfig load() {
        return LitefleetConfig.load(path.toAbsolutePath(), expandEnv);
    }

    /** The path, as messages name the file. */
    @Override
    public String toString() {
        return path.toString();
    }
}
