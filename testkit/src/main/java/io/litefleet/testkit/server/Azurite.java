package io.litefleet.testkit.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Azurite's blob service ({@code azurite@3.37.0} from npm), started by a test on a free port of 127.0.0.1 with a
 * fresh account whose key is random, so a test can check that the key never shows up in messages or logs.
 * Telemetry is off ({@code --disableTelemetry}): the server must not talk to anything but the test.
 *
 * <p>The server is found at {@code $LITEFLEET_AZURITE}, under {@code $LITEFLEET_TOOLS} (default
 * {@code ~/.cache/litefleet}) as {@code .ci/run} installs it, or as {@code azurite-blob} on the path; when it is
 * missing the test is skipped (failed under CI). Not thread-safe; {@link #close()} stops the process (SIGTERM, then
 * SIGKILL after two seconds: Azurite's node process does not exit on SIGTERM alone) and is idempotent.
 */
public final class Azurite implements AutoCloseable {
    /** The pinned version, as {@code .ci/run} installs it. */
    public static final String VERSION = "3.37.0";
    /** How to install it, shown when it is missing. */
    public static final String INSTALL_HINT = "install Azurite with: npm install --prefix ~/.cache/litefleet/azurite-"
            + VERSION + " azurite@" + VERSION + " (or run .ci/run)";
    private static final String API_VERSION = "2021-08-06";
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private final List<String> command;
    private final Map<String, String> env;
    private final Path dir;
    private final int port;
    private final String account;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ServerProcess process;

    private Azurite(List<String> command, Map<String, String> env, Path dir, int port, String account, String key) {
        this.command = command;
        this.env = env;
        this.dir = dir;
        this.port = port;
        this.account = account;
        this.key = key;
    }

    /** Starts Azurite with its data and log in {@code dir}, or skips the test when it is not installed. */
    public static Azurite start(Path dir) throws IOException {
        Path bin = binary();
        SecureRandom random = new SecureRandom();
        String account = "lf" + Long.toString(random.nextLong() >>> 1, 36).substring(0, 8);
        byte[] keyBytes = new byte[64];
        random.nextBytes(keyBytes);
        String key = Base64.getEncoder().encodeToString(keyBytes);
        Path data = Files.createDirectories(dir.resolve("azurite-data"));
        int port = ServerProcess.freePort();
        Azurite a = new Azurite(List.of(bin.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                Integer.toString(port), "--location", data.toString(), "--skipApiVersionCheck", "--loose",
                "--disableTelemetry", "--disableProductStyleUrl"), Map.of("AZURITE_ACCOUNTS", account + ":" + key),
                dir, port, account, key);
        a.launch();
        return a;
    }

    /** {@code $LITEFLEET_AZURITE}, else where .ci/run installs it, else {@code azurite-blob} on the path. */
    private static Path binary() {
        String env = System.getenv("LITEFLEET_AZURITE");
        String tools = System.getenv("LITEFLEET_TOOLS");
        Path home = (tools != null && !tools.isBlank() ? Path.of(tools)
                : Path.of(System.getProperty("user.home"), ".cache", "litefleet")).resolve("azurite-" + VERSION);
        for (Path p : new Path[] {env == null || env.isBlank() ? null : Path.of(env),
                home.resolve("node_modules/.bin/azurite-blob")}) {
            if (p != null && Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return ServerProcess.binary("azurite-blob", INSTALL_HINT);
    }

    private void launch() throws IOException {
        process = ServerProcess.start("azurite", command, dir, env, this::answersHttp, Duration.ofSeconds(60));
    }

    /** Any HTTP answer (Azurite answers 400 to an unsigned request) means the service listens. */
    private boolean answersHttp() {
        try {
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The blob service endpoint, path style: {@code http://127.0.0.1:PORT/ACCOUNT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port + "/" + account;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** The account's name. */
    public String accountName() {
        return account;
    }

    /** The account's key (random per start; a secret for the tests' purposes). */
    public String accountKey() {
        return key;
    }

    /**
     * Stops the server as an operator's stop or a crash would, at once: SIGTERM closes Azurite's port, and since its
     * node process then stays, SIGKILL follows after a short wait. Only the process this fixture started is signalled.
     */
    public void stop() {
        if (process == null) {
            return;
        }
        ProcessHandle.of(process.pid()).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                h.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                h.destroyForcibly();
            }
        });
        process.close(); // reaps it (already gone) and removes its shutdown hook
        process = null;
    }

    /** Starts the server again on the same port and data directory, after {@link #stop()}. */
    public void restart() throws IOException {
        if (process != null) {
            throw new IllegalStateException(this + " is running");
        }
        launch();
    }

    /** Creates a container (Shared Key-signed REST call); an existing one is fine. */
    public void createContainer(String name) throws IOException, InterruptedException {
        String date = HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC));
        String path = "/" + account + "/" + name;
        // Azure's Shared Key string to sign: verb, 11 standard headers (all empty here), x-ms-* headers, resource.
        String toSign = "PUT\n" + "\n".repeat(11) + "x-ms-date:" + date + "\nx-ms-version:" + API_VERSION + "\n/"
                + account + path + "\nrestype:container";
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path
                        + "?restype=container"))
                .header("x-ms-date", date).header("x-ms-version", API_VERSION)
                .header("Authorization", "SharedKey " + account + ":" + sign(toSign))
                .PUT(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 201 && res.statusCode() != 409) {
            throw new IOException("creating container " + name + " on " + this + " answered " + res.statusCode()
                    + ": " + res.body());
        }
    }

    private String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(key), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Stops the server ({@link #stop()}). Idempotent. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "azurite " + VERSION + " on 127.0.0.1:" + port + (process == null ? " (stopped)" : " (pid "
                + process.pid() + ", log " + process.log() + ")");
    }
}
