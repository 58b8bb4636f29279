package io.litefleet.testkit.server;

import io.litefleet.testkit.PeerTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the test servers' executables. A missing one skips the test, saying how to install it; under CI
 * ({@code CI=true}) it fails the test instead, because there the servers must be installed ({@code .ci/run} does it).
 */
final class ServerBinaries {
    private ServerBinaries() {
    }

    /**
     * The first executable among {@code candidates}, else {@code name} on the peers' search path
     * ({@link PeerTools#find}), else skip (or fail under CI) with {@code installHint}.
     */
    static Path require(String name, List<Path> candidates, String installHint) {
        Optional<Path> found = candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                .findFirst().or(() -> PeerTools.find(name));
        if (found.isEmpty() && PeerTools.isCi()) {
            throw new AssertionError("test server '" + name + "' is missing under CI: " + installHint);
        }
        Assumptions.assumeTrue(found.isPresent(), () -> "skipped: test server '" + name + "' not found; "
                + installHint);
        return found.orElseThrow();
    }

    /** Where {@code .ci/run} keeps tools that are not Go binaries: {@code $LITEFLEET_TOOLS} or ~/.cache/litefleet. */
    static Path toolsHome() {
        String env = System.getenv("LITEFLEET_TOOLS");
        return env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "litefleet");
    }
}
