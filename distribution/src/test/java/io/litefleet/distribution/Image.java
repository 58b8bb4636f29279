package io.litefleet.distribution;

import io.litefleet.testkit.server.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built image's {@code bin/litefleet} (jlink runtime, lib/ on the module path, plugins/ as drop-in module
 * layers) as a user would, and other tools (upstream {@code litestream}) the same way: a child process with an
 * environment of our choosing, its output in a file. The image is built by {@code package}, before Failsafe runs.
 */
final class Image {
    /** The launcher, relative to the module directory Failsafe runs in. */
    static final Path LITEFLEET = Path.of("target", "litefleet", "bin", "litefleet").toAbsolutePath();

    private Image() {
    }

    /**
     * What a finished process printed (stdout and stderr together).
     *
     * @param exitCode its exit code
     * @param output   its output
     */
    record Result(int exitCode, String output) {
    }

    /** The launcher, or a failure saying how to build it. */
    static Path litefleet() {
        if (!Files.isExecutable(LITEFLEET)) {
            throw new AssertionError(LITEFLEET + " is missing: build the image first (./mvnw -B package)");
        }
        return LITEFLEET;
    }

    /** A builder for {@code command} with {@code env} applied (a null value removes the variable). */
    static ProcessBuilder process(List<String> command, Map<String, String> env, Path log) {
        return ServerProcess.withEnvironment(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())), env);
    }

    /** Runs {@code command} to completion within {@code timeout} (killing it otherwise), output in {@code dir}. */
    static Result run(Path dir, Duration timeout, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process p = process(List.of(command), env, log).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command) + "\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            stop(p, Duration.ZERO);
        }
    }

    /** {@code litefleet args...} to completion. */
    static Result litefleet(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(litefleet().toString()));
        cmd.addAll(List.of(args));
        return run(dir, Duration.ofMinutes(2), env, cmd.toArray(String[]::new));
    }

    /** SIGTERM, then SIGKILL after {@code grace}; also its descendants. Returns the exit code, or -1 if killed. */
    static int stop(Process p, Duration grace) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        boolean exited = p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
        return exited ? p.exitValue() : -1;
    }
}
