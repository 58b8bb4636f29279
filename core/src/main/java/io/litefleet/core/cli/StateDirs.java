package io.litefleet.core.cli;

import java.nio.file.Path;
import java.util.Optional;

/** Where the state directory is when nothing says otherwise: never next to the databases. */
final class StateDirs {
    private StateDirs() {
    }

    /** {@code --state-dir}, else {@code state-dir:}, else $LITEFLEET_STATE_DIR, else the XDG data directory. */
    static Path resolve(Path flag, Optional<Path> fromConfig) {
        if (flag != null) {
            return flag.toAbsolutePath().normalize();
        }
        if (fromConfig.isPresent()) {
            return fromConfig.get();
        }
        String env = System.getenv("LITEFLEET_STATE_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("litefleet").toAbsolutePath().normalize();
    }
}
