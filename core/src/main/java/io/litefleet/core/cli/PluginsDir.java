package io.litefleet.core.cli;

import java.nio.file.Path;
import java.util.Optional;

/** Where every command looks for drop-in plugins: the flag, else {@code $LITEFLEET_PLUGINS_DIR}, else the image's. */
final class PluginsDir {
    /** The option's description, shared by the commands that take it. */
    static final String DESCRIPTION = "Directory of drop-in plugins, one sub-directory each (default: "
            + "$LITEFLEET_PLUGINS_DIR, else the plugins/ directory of the installed image).";

    private PluginsDir() {
    }

    /** {@code flag} if given, else the environment variable, else the launcher's {@code -Dlitefleet.plugins}. */
    static Optional<Path> resolve(Path flag) {
        return Optional.ofNullable(flag)
                .or(() -> Optional.ofNullable(System.getenv("LITEFLEET_PLUGINS_DIR")).filter(s -> !s.isBlank())
                        .map(Path::of))
                .or(() -> Optional.ofNullable(System.getProperty("litefleet.plugins")).filter(s -> !s.isBlank())
                        .map(Path::of));
    }
}
