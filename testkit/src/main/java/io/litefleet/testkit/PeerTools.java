package io.litefleet.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the peer tools the interop tests run: upstream {@code litestream} v0.5.16, superfly's {@code ltx} CLI
 * and the {@code sqlite3} shell. Looks at {@code $LITEFLEET_PEERS_BIN}, {@code $GOBIN}, {@code $HOME/go/bin} and
 * {@code $PATH}, in that order.
 *
 * <p>On a machine without them the tests are skipped with a message saying how to install them; under CI
 * ({@code CI=true}) a missing peer is a failure, because interop must be proven there.
 */
public final class PeerTools {
    /** How to install the peers, shown when one is missing. */
    public static final String INSTALL_HINT = "install the peers with: go install "
            + "github.com/benbjohnson/litestream/cmd/litestream@v0.5.16 && go install "
            + "github.com/superfly/ltx/cmd/ltx@v0.5.2 (or run .ci/run, which also installs litestream v0.5.15 as "
            + "litestream-v0.5.15), and apt-get install sqlite3";

    private PeerTools() {
    }

    /** The upstream litestream binary, or skip (fail under CI). */
    public static Path litestream() {
        return require("litestream");
    }

    /**
     * An older upstream release installed as {@code litestream-<version>} (for example {@code v0.5.15}, the last to
     * write LTX pages as LZ4 frames), or skip (fail under CI). {@code .ci/run} installs them.
     */
    public static Path litestream(String version) {
        return require("litestream-" + version);
    }

    /** The ltx CLI, or skip (fail under CI). */
    public static Path ltx() {
        return require("ltx");
    }

    /** The sqlite3 shell, or skip (fail under CI). */
    public static Path sqlite3() {
        return require("sqlite3");
    }

    /** Debian's headless-capable {@code chromium} (the status page's browser test), or skip (fail under CI). */
    public static Path chromium() {
        return require("chromium");
    }

    /** The named tool if it can be found. */
    public static Optional<Path> find(String name) {
        for (Path dir : searchPath()) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Path require(String name) {
        Optional<Path> p = find(name);
        if (p.isEmpty() && isCi()) {
            throw new AssertionError("peer tool '" + name + "' is missing under CI: " + INSTALL_HINT);
        }
        Assumptions.assumeTrue(p.isPresent(), () -> "skipped: peer tool '" + name + "' not found; " + INSTALL_HINT);
        return p.orElseThrow();
    }

    /** Whether we run under CI, where skipping interop is not allowed. */
    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static List<Path> searchPath() {
        List<Path> dirs = new ArrayList<>();
        addEnv(dirs, "LITEFLEET_PEERS_BIN");
        addEnv(dirs, "GOBIN");
        String home = System.getProperty("user.home");
        if (home != null) {
            dirs.add(Path.of(home, "go", "bin"));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        return dirs;
    }

    private static void addEnv(List<Path> dirs, String var) {
        String v = System.getenv(var);
        if (v != null && !v.isBlank()) {
            dirs.add(Path.of(v));
        }
    }
}
