package io.litefleet.testkit.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a test server once per test class and stops it after the class, with its data and log in a temporary
 * directory that is removed afterwards. Register it in a static field:
 * {@code @RegisterExtension static final ServerExtension<Azurite> AZURITE = ServerExtension.azurite("c");}.
 * A server that is not installed skips the class (fails it under CI), as the fixtures do.
 *
 * @param <T> the fixture
 */
public final class ServerExtension<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback {
    /** Starts a fixture in a directory. */
    @FunctionalInterface
    public interface Starter<T> {
        /** Starts the server with its files in {@code dir}. */
        T start(Path dir) throws Exception;
    }

    private final String name;
    private final Starter<T> starter;
    private Path dir;
    private T server;

    private ServerExtension(String name, Starter<T> starter) {
        this.name = name;
        this.starter = starter;
    }

    /** Azurite with the given containers created. */
    public static ServerExtension<Azurite> azurite(String... containers) {
        return new ServerExtension<>("azurite", dir -> {
            Azurite a = Azurite.start(dir);
            for (String c : containers) {
                a.createContainer(c);
            }
            return a;
        });
    }

    /** fake-gcs-server with the given buckets created. */
    public static ServerExtension<FakeGcsServer> fakeGcs(String... buckets) {
        return new ServerExtension<>("fake-gcs-server", dir -> {
            FakeGcsServer g = FakeGcsServer.start(dir);
            for (String b : buckets) {
                g.createBucket(b);
            }
            return g;
        });
    }

    /**
     * etcd: one member, or a cluster of {@code members}, each started with {@code extraArgs} added (see
     * {@link Etcd#cluster(Path, int, java.util.List)}).
     */
    public static ServerExtension<Etcd> etcd(int members, String... extraArgs) {
        return new ServerExtension<>("etcd", dir -> Etcd.cluster(dir, members, java.util.List.of(extraArgs)));
    }

    /** The running server. */
    public T get() {
        if (server == null) {
            throw new IllegalStateException(name + " is not running (used outside its test class?)");
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("litefleet-" + name + "-");
        server = starter.start(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            deleteTree(dir);
        }
    }

    /** Deletes {@code root} and everything under it; nothing when it does not exist. */
    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
