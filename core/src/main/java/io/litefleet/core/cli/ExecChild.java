package io.litefleet.core.cli;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The application {@code replicate -exec} runs as its child, as upstream does: same environment (less what the
 * launcher added for the JVM alone) and working directory, standard output and error shared with litefleet,
 * standard input from {@code /dev/null}. Signals the daemon receives are {@linkplain #forward forwarded} to it.
 * Thread-safe.
 */
final class ExecChild {
    private static final System.Logger LOG = System.getLogger("io.litefleet.replicate");
    /** The environment variables the launcher set for the JVM alone (comma-separated), left out of the child's. */
    static final String LAUNCHER_ENV = "litefleet.launcher-env";

    private final String commandLine;
    private final Process process;
    private volatile String forwarded; // the last signal forwarded, if any

    private ExecChild(String commandLine, Process process) {
        this.commandLine = commandLine;
        this.process = process;
    }

    /**
     * Starts {@code commandLine} (split by {@link ShellWords}).
     *
     * @throws UserException when it cannot be parsed, is not found, or is not executable
     */
    static ExecChild start(String commandLine) {
        List<String> argv = ShellWords.split(commandLine);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        for (String name : System.getProperty(LAUNCHER_ENV, "").split(",")) {
            pb.environment().remove(name.strip()); // set by bin/litefleet for the JVM, not the user's
        }
        try {
            Process p = pb.start();
            LOG.log(System.Logger.Level.INFO, "started exec command (pid " + p.pid() + "): " + commandLine);
            return new ExecChild(commandLine, p);
        } catch (IOException e) {
            throw new UserException("cannot start exec command \"" + commandLine + "\": " + why(argv.get(0), e));
        }
    }

    /** The JDK's message ("Cannot run program ...: error=2, No such file or directory", worded per JDK) said plainly. */
    private static String why(String program, IOException e) {
        String m = String.valueOf(e.getMessage());
        java.util.regex.Matcher errno = java.util.regex.Pattern.compile("error[=:] ?(\\d+)").matcher(m);
        String code = errno.find() ? errno.group(1) : "";
        return switch (code) {
            case "2" -> program.contains("/") ? program + ": no such file"
                    : program + ": executable file not found in $PATH";
            case "13" -> program + ": permission denied (not executable, or a directory)";
            default -> m;
        };
    }

    /** The child's pid. */
    long pid() {
        return process.pid();
    }

    /**
     * Sends {@code signal} ({@code TERM} or {@code INT}) to the child. SIGTERM goes through the JDK; the JDK has no
     * other signal, so SIGINT goes through the shell's {@code kill}, and as SIGTERM when that fails.
     */
    void forward(String signal) {
        forwarded = signal;
        LOG.log(System.Logger.Level.INFO, "signal SIG" + signal + " received: forwarding it to the exec process (pid "
                + process.pid() + ")");
        if (!process.isAlive()) {
            return; // exited meanwhile: its pid may already be another process's
        }
        if (!"TERM".equals(signal) && sendWithKill(signal)) {
            return;
        }
        process.destroy();
    }

    private boolean sendWithKill(String signal) {
        try {
            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " " + process.pid())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0) {
                return true;
            }
            kill.destroyForcibly();
        } catch (IOException e) {
            // no shell: SIGTERM below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(System.Logger.Level.WARNING, "cannot send SIG" + signal + " to the exec process; sending SIGTERM");
        return false;
    }

    /** Ends the child if it still runs: SIGTERM, then SIGKILL after {@code grace}. */
    void end(java.time.Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "replication is ending: stopping the exec process (pid " + process.pid()
                + ")");
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code millis} for the child to exit; returns whether it has. */
    boolean waitFor(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * The daemon's exit code once the child has exited, as upstream's: 0 when the child exited 0, or was ended by
     * the signal forwarded to it; otherwise an error (exit code 1) naming the child's status.
     *
     * @throws UserException when the child failed
     */
    int exitCode() {
        int status = process.exitValue();
        String signal = forwarded;
        // The JDK reports a child killed by signal n as 128 + n, as shells do.
        if (status == 0 || (signal != null && status > 128)) {
            return 0;
        }
        throw new UserException("exec command \"" + commandLine + "\" " + (signal == null ? "" : "(sent SIG" + signal
                + ") ") + "exited with status " + status + (status > 128 ? " (killed by signal " + (status - 128)
                + "?)" : ""));
    }
}
