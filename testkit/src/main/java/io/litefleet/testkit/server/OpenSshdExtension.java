package io.litefleet.testkit.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link OpenSshd} per test class: {@code @RegisterExtension static final OpenSshdExtension SSHD = new
 * OpenSshdExtension();} starts it before the class's first test, in a fresh temp directory, and stops it and removes
 * the directory after the last one.
 */
public final class OpenSshdExtension implements BeforeAllCallback, AfterAllCallback {
    private final List<String> wrapper;
    private Path dir;
    private OpenSshd server;

    /** A plain server. */
    public OpenSshdExtension() {
        this(List.of());
    }

    /** A server started through {@code wrapper} (see {@link OpenSshd#start(Path, List)}). */
    public OpenSshdExtension(List<String> wrapper) {
        this.wrapper = List.copyOf(wrapper);
    }

    /** The running server. */
    public OpenSshd server() {
        if (server == null) {
            throw new IllegalStateException("the server starts before the test class's first test");
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("litefleet-sshd-");
        server = OpenSshd.start(dir, wrapper);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            if (dir != null) {
                try (Stream<Path> all = Files.walk(dir)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    // a leftover temp directory is not a test failure
                }
            }
        }
    }
}
