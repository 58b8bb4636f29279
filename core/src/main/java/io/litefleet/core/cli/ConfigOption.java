package io.litefleet.core.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Upstream's {@code -config PATH} and {@code -no-expand-env}, shared by the commands that read the configuration
 * only to find databases or the state directory (a picocli mixin).
 */
final class ConfigOption {
    @Option(names = {"-config", "--config"}, paramLabel = "PATH", description = "Configuration file (default: "
            + "$LITESTREAM_CONFIG, else /etc/litestream.yml).")
    Path config;

    @Option(names = {"-no-expand-env", "--no-expand-env"}, description = "Disables environment variable expansion "
            + "in the configuration file.")
    boolean noExpandEnv;

    /** The file given with {@code -config}, if any. */
    Optional<ConfigFile> given() {
        return Optional.ofNullable(config).map(p -> new ConfigFile(p.toAbsolutePath(), !noExpandEnv));
    }

    /** The file given, else upstream's default one, or an error saying where it looked. */
    ConfigFile orDefault() {
        return new ConfigFile(ConfigPaths.configOrDefault(config), !noExpandEnv);
    }
}
