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

    private final ServerProcess process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private FakeGcsServer(ServerProcess process) {
        this.process = process;
    }

    /** Starts the server with its data and log in {@code dir}, or skips the test when it is not installed. */
    public static FakeGcsServer start(Path dir) throws IOException {
        Path bin = ServerBinaries.require("fake-gcs-server", List.of(), INSTALL_HINT);
        Path data = Files.createDirectories(dir.resolve("fake-gcs-data"));
        int port = ServerProcess.freePort();
        String hostPort = "127.0.0.1:" + port;
        ServerProcess p = ServerProcess.start("fake-gcs-server", List.of(bin.toString(), "-scheme", "http",
                        "-host", "127.0.0.1", "-port", Integer.toString(port), "-backend", "filesystem",
                        "-filesystem-root", data.toString(), "-public-host", hostPort, "-external-url",
                        "http://" + hostPort, "-log-level", "warn"),
                Map.of(), dir.resolve("fake-gcs-server.log"), port, ServerProcess.answersHttp("/storage/v1/b"),
                Duration.ofSeconds(60));
        return new FakeGcsServer(p);
    }

    /** {@code http://127.0.0.1:PORT}, the host a Java client is given. */
    public String url() {
        return "http://" + emulatorHost();
    }

    /** {@code 127.0.0.1:PORT}, as {@code STORAGE_EMULATOR_HOST} takes it. */
    public String emulatorHost() {
        return "127.0.0.1:" + process.port();
    }

    /** The port. */
    public int port() {
        return process.port();
    }

    /** The server process, to kill or restart it. */
    public ServerProcess process() {
        return process;
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
        process.close();
    }

    @Override
    public String toString() {
        return "fake-gcs-server " + VERSION + " " + process;
    }
}
