package io.litefleet.core.cli;

import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --state-dir} and {@code --plugins-dir}, for the commands that work on a config's fleet (a picocli mixin). */
final class DirOptions {
    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (default: the config's).")
    Path stateDir;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = PluginsDir.DESCRIPTION)
    Path pluginsDir;

    /** The state directory: the flag, else the config's ({@code multi-db:} first), else the default. */
    Path state(LitefleetConfig c) {
        return StateDirs.resolve(stateDir, c.fleet().flatMap(FleetConfig::stateDir).or(c::stateDir));
    }

    /** The plugins directory, if any is set. */
    Optional<Path> plugins() {
        return PluginsDir.resolve(pluginsDir);
    }
}
