package io.litefleet.testkit.server;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * versitygw (an Apache-2.0 S3 gateway, pinned at {@link #VERSION}) serving a POSIX directory on 127.0.0.1, as a
 * child process: the real S3 server of the tests. Start it once per test class; each bucket is a directory under
 * {@code <dir>/data}. The credentials are random per instance. Not thread-safe for start/stop; the server itself
 * serves any number of clients.
 */
public final class VersityGw implements AutoCloseable {
    /** The version {@code .ci/run} installs. */
    public static final String VERSION = "v1.8.0";
    /** How to install it, shown when it is missing. */
    public static final String INSTALL_HINT = "install it with: go install "
            + "github.com/versity/versitygw/cmd/versitygw@" + VERSION + " (or run .ci/run)";
    /** The region the tests' URLs name; versitygw accepts any. */
    public static final String REGION = "us-east-1";
    private static final Duration READY = Duration.ofSeconds(30);

    private final Path binary;
    private final Path dir;
    private final int port;
    private final String accessKey;
    private String secretKey;
    private ServerProcess process;

    private VersityGw(Path binary, Path dir, int port, String accessKey, String secretKey) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /**
     * Starts a server whose buckets, log and state live in {@code dir}; skips the calling test when versitygw is not
     * installed (fails under CI).
     */
    public static VersityGw start(Path dir) throws IOException {
        Path binary = ServerProcess.binary("versitygw", INSTALL_HINT);
        String suffix = UUID.randomUUID().toString().replace("-", "");
        VersityGw gw = new VersityGw(binary, dir, ServerProcess.freePort(), "LFTEST" + suffix.substring(0, 14),
                "lf-secret-" + suffix);
        gw.startProcess();
        return gw;
    }

    private void startProcess() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        process = ServerProcess.start("versitygw", List.of(binary.toString(), "--access", accessKey, "--secret",
                        secretKey, "--port", "127.0.0.1:" + port, "--health", "/health", "posix",
                        dir.resolve("data").toString()), dir, Map.of(),
                () -> ServerProcess.answers200(endpoint().resolve("/health")), READY);
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The access key id. */
    public String accessKey() {
        return accessKey;
    }

    /** The secret access key: tests grep logs and messages for it. */
    public String secretKey() {
        return secretKey;
    }

    /** Creates the bucket {@code name} (a directory of the POSIX backend) and returns its name. */
    public String createBucket(String name) throws IOException {
        Files.createDirectories(dir.resolve("data").resolve(name));
        return name;
    }

    /** Where the bucket's objects are on disk (objects are files there, keys their relative paths). */
    public Path bucketDir(String bucket) {
        return dir.resolve("data").resolve(bucket);
    }

    /**
     * Upstream's URL form for {@code s3://bucket/path} on this server:
     * {@code s3://bucket/path?endpoint=http://127.0.0.1:PORT&region=us-east-1&force-path-style=true}.
     */
    public String url(String bucket, String path) {
        return "s3://" + bucket + "/" + path + "?endpoint=" + endpoint() + "&region=" + REGION
                + "&force-path-style=true";
    }

    /**
     * The environment a child process (upstream litestream, litefleet) needs to reach this server: the
     * credentials as {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, and {@code AWS_CA_BUNDLE} removed (a
     * null value, see {@link ServerProcess#withEnvironment}), because upstream's S3 client fails on it ("unable to
     * add custom RootCAs HTTPClient").
     */
    public Map<String, String> childEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", accessKey);
        env.put("AWS_SECRET_ACCESS_KEY", secretKey);
        env.put("AWS_CA_BUNDLE", null);
        return env;
    }

    /** Whether the server process is running. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server (its data stays); {@link #restart} brings it back on the same port. */
    public void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    /** Starts the server again on the same port and data, with the same credentials. */
    public void restart() throws IOException {
        stop();
        startProcess();
    }

    /**
     * Starts the server again with a new secret key: clients holding the old one are refused from now on (revoked
     * credentials).
     */
    public void restartWithSecret(String newSecret) throws IOException {
        stop();
        secretKey = newSecret;
        startProcess();
    }

    /** The server's log so far, for failure messages. */
    public String logTail() {
        return process == null ? "(stopped)" : process.logTail();
    }

    @Override
    public void close() {
        stop();
    }
}
