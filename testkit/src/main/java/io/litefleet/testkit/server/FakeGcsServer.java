package io.litefleet.testkit.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * fake-gcs-server v1.56.1 (a Go module), started by a test on a free port of 127.0.0.1 over plain HTTP with a
 * file-system backend. Found like the interop peers ({@code $LITEFLEET_PEERS_BIN}, {@code $GOBIN},
 * {@code ~/go/bin}, {@code $PATH}); when it is missing the test is skipped (failed under CI).
 *
 * <p>It checks no credentials, so clients use none. Not thread-safe; {@link #close()} stops the process and is
 * idempotent.
 */
public final class FakeGcsServer implements AutoCloseable {
    /** The pinned version, as {@code .ci/run} installs it. */
    public static final String VERSION = "v1.56.1";
    /** How to install it, shown when it is missing. */
    public static final String INSTALL_HINT = "install fake-gcs-server with: go install "
            + "github.com/fsouza/fake-gcs-server@" + VERSION + " (or run .ci/run)";

    private final List<String> command;
    private final Path dir;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ServerProcess process;

    private FakeGcsServer(List<String> command, Path dir, int port) {
        this.command = command;
        this.dir = dir;
        this.port = port;
    }

    /** Starts the server with its data and log in {@code dir}, or skips the test when it is not installed. */
    public static FakeGcsServer start(Path dir) throws IOException {
        Path bin = ServerProcess.binary("fake-gcs-server", INSTALL_HINT);
        Path data = Files.createDirectories(dir.resolve("fake-gcs-data"));
        int port = ServerProcess.freePort();
        String hostPort = "127.0.0.1:" + port;
        FakeGcsServer g = new FakeGcsServer(List.of(bin.toString(), "-scheme", "http", "-host", "127.0.0.1",
                "-port", Integer.toString(port), "-backend", "filesystem", "-filesystem-root", data.toString(),
                "-public-host", hostPort, "-external-url", "http://" + hostPort, "-log-level", "warn"), dir, port);
        g.launch();
        return g;
    }

    private void launch() throws IOException {
        process = ServerProcess.start("fake-gcs-server", command, dir, Map.of(),
                () -> ServerProcess.answers200(URI.create(url() + "/storage/v1/b")), Duration.ofSeconds(60));
    }

    /** Stops the server (SIGTERM; it exits at once). Idempotent. */
    public void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    /** Starts the server again on the same port and data directory, after {@link #stop()}. */
    public void restart() throws IOException {
        if (process != null) {
            throw new IllegalStateException(this + " is running");
        }
        launch();
    }

    /** {@code http://127.0.0.1:PORT}, the host a Java client is given. */
    public String url() {
        return "http://" + emulatorHost();
    }

    /** {@code 127.0.0.1:PORT}, as {@code STORAGE_EMULATOR_HOST} takes it. */
    public String emulatorHost() {
        return "127.0.0.1:" + port;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** Creates a bucket; an existing one is fine. */
    public void createBucket(String name) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url() + "/storage/v1/b?project=litefleet-test"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200 && res.statusCode() != 409) {
            throw new IOException("creating bucket " + name + " on " + this + " answered " + res.statusCode() + ": "
                    + res.body());
        }
    }

    /** Stops the server. Idempotent. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "fake-gcs-server " + VERSION + " on 127.0.0.1:" + port + (process == null ? " (stopped)" : " (pid "
                + process.pid() + ", log " + process.log() + ")");
    }
}
