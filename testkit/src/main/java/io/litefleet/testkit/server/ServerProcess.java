package io.litefleet.testkit.server;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.PeerTools;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/**
 * A server the tests start as a child process on 127.0.0.1: started with its output in a log file, polled until
 * ready with a deadline, stopped by the PID this object started (SIGTERM, then SIGKILL after a grace period; its
 * descendants too). A JVM shutdown hook kills it if the test JVM exits without closing it. Thread-safe.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread hook;

    private ServerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.hook = new Thread(() -> kill(process), "litefleet-test-stop-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * The installed tool {@code binary}, found as {@link PeerTools#find} finds peers; when it is missing the calling
     * test is skipped with {@code installHint}, or fails under CI ({@code CI=true}), where it must be there.
     */
    public static Path binary(String binary, String installHint) {
        Optional<Path> p = PeerTools.find(binary);
        if (p.isEmpty() && PeerTools.isCi()) {
            throw new AssertionError("'" + binary + "' is missing under CI: " + installHint);
        }
        Assumptions.assumeTrue(p.isPresent(), () -> "skipped: '" + binary + "' not found; " + installHint);
        return p.orElseThrow();
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    /**
     * Starts {@code command} in {@code workDir} with {@code env} added to this JVM's environment (a null value
     * removes the variable), its output appended to {@code workDir/<name>.log}, and waits until {@code ready} holds.
     *
     * @throws AssertionError when the process exits or {@code deadline} passes first, quoting the log's tail
     */
    public static ServerProcess start(String name, List<String> command, Path workDir, Map<String, String> env,
                                      BooleanSupplier ready, Duration deadline) throws IOException {
        Files.createDirectories(workDir);
        Path log = workDir.resolve(name + ".log");
        ProcessBuilder pb = withEnvironment(new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())), env);
        ServerProcess server = new ServerProcess(name, pb.start(), log);
        try {
            server.awaitReady(ready, deadline);
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /** Adds {@code env} to the builder's environment, removing the variables whose value is null; returns it. */
    public static ProcessBuilder withEnvironment(ProcessBuilder pb, Map<String, String> env) {
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        return pb;
    }

    private void awaitReady(BooleanSupplier ready, Duration deadline) {
        boolean up;
        try {
            up = Await.holds(deadline, () -> !process.isAlive() || ready.getAsBoolean());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
        if (!process.isAlive()) {
            throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready:\n"
                    + logTail());
        }
        if (!up) {
            throw new AssertionError(name + " was not ready within " + deadline + ":\n" + logTail());
        }
    }

    /** Whether {@code GET url} answers 200, within a second; false for any failure. */
    public static boolean answers200(URI url) {
        try {
            HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
            c.setConnectTimeout(1_000);
            c.setReadTimeout(1_000);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** The process id, for messages. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The log file. */
    public Path log() {
        return log;
    }

    /** The last 4,000 characters of the log, for failure messages. */
    public String logTail() {
        return tail(log);
    }

    /** The last 4,000 characters of the file {@code log}, for failure messages. */
    static String tail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.length() <= 4_000 ? s : "..." + s.substring(s.length() - 4_000);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Stops the process (SIGTERM, SIGKILL after 10 s) and waits for it. Idempotent. */
    @Override
    public void close() {
        kill(process);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    private static void kill(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
