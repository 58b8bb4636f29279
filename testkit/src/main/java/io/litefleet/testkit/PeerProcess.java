package io.litefleet.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a peer tool to completion with a deadline, capturing its output in files; kills it (and its children) on any
 * failure. Stateless; safe from any thread.
 */
public final class PeerProcess {
    private PeerProcess() {
    }

    /**
     * What a finished process printed.
     *
     * @param exitCode its exit code
     * @param stdout   its standard output
     * @param stderr   its standard error
     */
    public record Result(int exitCode, String stdout, String stderr) {
        /** Exit code and both outputs, for assertion messages. */
        public String both() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /**
     * Runs {@code command} in {@code workDir}, failing the test if it does not finish within {@code timeout}.
     * Output goes to temp files in {@code workDir}.
     */
    public static Result run(Path workDir, Duration timeout, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("timed out after " + timeout + ": " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            kill(p);
        }
    }

    /**
     * Starts {@code litestream replicate} for one database with a file replica, 100 ms monitor and sync intervals,
     * its config and log ({@code litestream.yml}, {@code litestream.log}) in {@code workDir}. The caller stops it
     * ({@link #stopGracefully}) and kills it in a finally block ({@link #kill}).
     */
    public static Process startLitestreamReplicate(Path litestream, Path workDir, Path db, Path replica)
            throws IOException {
        Path config = Files.writeString(workDir.resolve("litestream.yml"), """
                dbs:
                  - path: %s
                    monitor-interval: 100ms
                    replica:
                      type: file
                      path: %s
                      sync-interval: 100ms
                """.formatted(db, replica));
        return new ProcessBuilder(litestream.toString(), "replicate", "-config", config.toString())
                .redirectErrorStream(true).redirectOutput(workDir.resolve("litestream.log").toFile()).start();
    }

    /** Sends SIGTERM (litestream syncs and exits) and fails when it has not exited within 30 s. */
    public static void stopGracefully(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("litestream did not stop within 30s");
        }
    }

    /** Kills {@code p} and its descendants if still running, and waits briefly for it to go. */
    public static void kill(Process p) throws InterruptedException {
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        if (p.isAlive()) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
