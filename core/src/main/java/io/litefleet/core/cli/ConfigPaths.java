package io.litefleet.core.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where a command finds its configuration when {@code -config} is not given, as upstream does:
 * {@code $LITESTREAM_CONFIG}, else {@code /etc/litestream.yml}; and how it reads it ({@code -no-expand-env}).
 */
final class ConfigPaths {
    /** Upstream's default configuration file. */
    static final Path DEFAULT = Path.of("/etc/litestream.yml");

    private ConfigPaths() {
    }

    /** The given file, else the default one, or an error saying where it looked. */
    static Path configOrDefault(Path given) {
        return configOrDefault(given, System::getenv);
    }

    static Path configOrDefault(Path given, UnaryOperator<String> env) {
        if (given != null) {
            return given.toAbsolutePath();
        }
        Optional<Path> found = defaultConfig(env);
        return found.orElseThrow(() -> new UserException("no configuration file: give -config FILE (without it, "
                + describeDefault(env) + " is read, and it does not exist)"));
    }

    /** The default file when it exists. */
    static Optional<Path> defaultConfig(UnaryOperator<String> env) {
        Path p = fromEnv(env).orElse(DEFAULT);
        return Files.isRegularFile(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
    }

    private static Optional<Path> fromEnv(UnaryOperator<String> env) {
        String v = env.apply("LITESTREAM_CONFIG");
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(Path.of(v));
    }

    private static String describeDefault(UnaryOperator<String> env) {
        return fromEnv(env).map(p -> p + " (from $LITESTREAM_CONFIG)").orElse(DEFAULT.toString());
    }
}
