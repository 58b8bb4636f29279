package io.litefleet.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * A server process that a test started on 127.0.0.1: its output goes to a log file, readiness is polled with a
 * deadline, and stopping it signals only the process this object started (SIGTERM, then SIGKILL after a short grace
 * period, since some servers, Azurite among them, close their port on SIGTERM but never exit).
 *
 * <p>Not thread-safe: one test class drives it. {@link #close()} is idempotent.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(3);

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private final int port;
    private final IntPredicate ready;
    private Process process;

    private ServerProcess(String name, List<String> command, Map<String, String> environment, Path log, int port,
                          IntPredicate ready) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = log;
        this.port = port;
        this.ready = ready;
    }

    /**
     * Starts {@code command} and waits until {@code ready} answers true for the port, failing (with the log's tail)
     * when the process exits first or {@code within} passes.
     *
     * @param name        for messages, for example {@code azurite}
     * @param command     the command line; it must listen on {@code port} on 127.0.0.1
     * @param environment variables added to the inherited environment
     * @param log         file receiving standard output and standard error (appended across restarts)
     * @param port        the port the server listens on, from {@link #freePort()}
     * @param ready       polled with the port until it returns true
     */
    public static ServerProcess start(String name, List<String> command, Map<String, String> environment, Path log,
                                      int port, IntPredicate ready, Duration within) {
        ServerProcess p = new ServerProcess(name, command, environment, log, port, ready);
        p.launch(within);
        return p;
    }

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    /** A readiness check: an HTTP GET of {@code path} on the port answers with any status (the server speaks HTTP). */
    public static IntPredicate answersHttp(String path) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        return port -> {
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                return true;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
    }

    /** The port the server listens on. */
    public int port() {
        return port;
    }

    /** The log file. */
    public Path log() {
        return log;
    }

    /** The process id, or -1 when stopped. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Whether the process runs. */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Kills the process at once (SIGKILL), as a crash or a pulled plug would, and waits until it is gone. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
        process = null;
    }

    /** Starts the same command again on the same port (after {@link #kill()} or {@link #close()}). */
    public void restart(Duration within) {
        if (isAlive()) {
            throw new IllegalStateException(name + " is still running (pid " + process.pid() + ")");
        }
        launch(within);
    }

    /** The last lines of the log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL when the process has not exited within a few seconds. Idempotent. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!awaitExit(GRACE)) {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }
        process = null;
    }

    private void launch(Duration within) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(environment);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
        long deadline = System.nanoTime() + within.toNanos();
        while (!ready.test(port)) {
            if (!process.isAlive()) {
                int code = process.exitValue();
                process = null;
                throw new AssertionError(name + " exited with " + code + " before it was ready; log " + log + ":\n"
                        + logTail());
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new AssertionError(name + " was not ready on port " + port + " within " + within + "; log "
                        + log + ":\n" + logTail());
            }
            pause();
        }
    }

    private boolean awaitExit(Duration within) {
        try {
            return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** The poll interval of a readiness loop (the loop itself has a deadline). */
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a server", e);
        }
    }

    @Override
    public String toString() {
        return name + " on 127.0.0.1:" + port + " (pid " + pid() + ", log " + log + ")";
    }
}
