package io.litefleet.testkit.server;

import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's OpenSSH {@code sshd}, started by a test on {@code 127.0.0.1} and a free port with a throwaway ed25519 host
 * key and client key (made by {@code ssh-keygen}), public-key login only, for the user running the tests, and SFTP
 * by {@code internal-sftp} starting in {@link #root()} (so relative paths land there, not in the user's home). The
 * configuration is checked with {@code sshd -t} first. Stopped by the PID it started (and that process's children:
 * the per-connection session processes outlive their listener otherwise).
 *
 * <p>Where {@code sshd} is missing the test is skipped with a message saying how to install it; under CI
 * ({@code CI=true}) that is a failure. Not thread-safe: one test class drives it.
 */
public final class OpenSshd implements AutoCloseable {
    /** How to get the server, shown when it is missing. */
    public static final String INSTALL_HINT = "install it with: apt-get install openssh-server (or run .ci/run); "
            + "sshd also needs the directory /run/sshd (mkdir -p /run/sshd, as root)";
    private static final Duration READY = Duration.ofSeconds(30);

    private final Path dir;
    private final Path sshd;
    private final Path config;
    private final Path root;
    private final int port;
    private final List<String> wrapper;
    private Process process;
    private int starts;

    private OpenSshd(Path dir, Path sshd, Path config, Path root, int port, List<String> wrapper) {
        this.dir = dir;
        this.sshd = sshd;
        this.config = config;
        this.root = root;
        this.port = port;
        this.wrapper = List.copyOf(wrapper);
    }

    /** Starts a server whose files live under {@code dir} (keys, config, log, and the SFTP root {@code dir/root}). */
    public static OpenSshd start(Path dir) throws IOException, InterruptedException {
        return start(dir, List.of());
    }

    /**
     * Starts a server through {@code wrapper}, a command prefix that ends by running its arguments (for example
     * {@code unshare --mount sh -c 'mount ... && exec "$0" "$@"'}); its PID becomes sshd's when it execs.
     */
    public static OpenSshd start(Path dir, List<String> wrapper) throws IOException, InterruptedException {
        Path sshd = require("sshd", List.of(Path.of("/usr/sbin/sshd"), Path.of("/usr/local/sbin/sshd")));
        keygen(); // skip (or fail under CI) before anything is made when ssh-keygen is missing
        privilegeSeparationDirectory();
        Files.createDirectories(dir);
        Path root = Files.createDirectories(dir.resolve("root"));
        keygen(dir, dir.resolve("host_ed25519"), "");
        keygen(dir, dir.resolve("client_ed25519"), "");
        Files.copy(dir.resolve("client_ed25519.pub"), dir.resolve("authorized_keys"));
        int port = freePort();
        String user = System.getProperty("user.name");
        Path config = Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + dir.resolve("host_ed25519"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "AllowUsers " + user,
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                "StrictModes no",
                "UseDNS no",
                "MaxSessions 32",
                "MaxStartups 64:30:128",
                "AllowTcpForwarding no",
                "X11Forwarding no",
                "PermitTTY no",
                "LogLevel VERBOSE",
                "Subsystem sftp internal-sftp -d " + root,
                ""));
        run(dir, List.of(sshd.toString(), "-t", "-f", config.toString()), "sshd -t");
        OpenSshd server = new OpenSshd(dir, sshd, config, root, port, wrapper);
        server.startProcess();
        return server;
    }

    /** {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The TCP port. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as upstream's {@code host} key takes it. */
    public String hostPort() {
        return host() + ":" + port;
    }

    /** The login name: the user running the tests. */
    public String user() {
        return System.getProperty("user.name");
    }

    /** The SFTP start directory, where relative paths land. */
    public Path root() {
        return root;
    }

    /** The client's private key file (unencrypted ed25519). */
    public Path clientKey() {
        return dir.resolve("client_ed25519");
    }

    /** The server's public host key as one {@code authorized_keys}-style line ({@code ssh-ed25519 AAAA... comment}). */
    public String hostKeyLine() {
        return read(dir.resolve("host_ed25519.pub")).trim();
    }

    /** The host key's fingerprint as {@code ssh-keygen -lf} prints it ({@code SHA256:...}). */
    public String hostKeyFingerprint() throws IOException, InterruptedException {
        PeerProcess.Result r = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(keygen().toString(), "-l", "-f",
                hostPublicKey().toString()));
        if (r.exitCode() != 0) {
            throw new IOException("ssh-keygen -lf failed:\n" + r.both());
        }
        return r.stdout().trim().split("\\s+")[1];
    }

    /** The server's public host key file. */
    public Path hostPublicKey() {
        return dir.resolve("host_ed25519.pub");
    }

    /** A known_hosts file that names this server ({@code [127.0.0.1]:port ssh-ed25519 ...}), written on first use. */
    public Path knownHosts() {
        Path kh = dir.resolve("known_hosts");
        if (!Files.exists(kh)) {
            String[] parts = hostKeyLine().split("\\s+");
            write(kh, "[" + host() + "]:" + port + " " + parts[0] + " " + parts[1] + "\n");
        }
        return kh;
    }

    /**
     * Makes a new ed25519 key pair with {@code ssh-keygen} under the server's directory, encrypted with
     * {@code passphrase} (empty for none), and, if {@code authorized}, lets it log in.
     *
     * @return the private key file; the public key is beside it with {@code .pub} appended
     */
    public Path newClientKey(String name, String passphrase, boolean authorized) throws IOException,
            InterruptedException {
        Path key = dir.resolve(name);
        keygen(dir, key, passphrase);
        if (authorized) {
            Files.writeString(dir.resolve("authorized_keys"), Files.readString(Path.of(key + ".pub")),
                    java.nio.file.StandardOpenOption.APPEND);
        }
        return key;
    }

    /** What the server logged so far ({@code -e}: to its standard error). */
    public String log() {
        return read(dir.resolve("sshd.log"));
    }

    /** How many logins the server accepted so far (one per SSH connection). */
    public long acceptedLogins() {
        return log().lines().filter(l -> l.contains("Accepted publickey") || l.contains("Accepted password")).count();
    }

    /** Whether the listener is running. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Kills the per-connection session processes and leaves the listener running: every client connection drops,
     * and new ones are accepted.
     */
    public void dropConnections() throws InterruptedException {
        List<ProcessHandle> sessions = process.descendants().toList();
        sessions.forEach(ProcessHandle::destroyForcibly);
        awaitGone(sessions);
    }

    /** Stops the server (SIGKILL to our PID and its children), as a crashed or stopped host would. */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        all.add(process.toHandle());
        awaitGone(all);
        process = null;
    }

    /** Starts the server again on the same port with the same keys. */
    public void restart() throws IOException, InterruptedException {
        stop();
        startProcess();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void startProcess() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(sshd.toString(), "-D", "-e", "-f", config.toString()));
        starts++;
        process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sshd.log").toFile())).start();
        long deadline = System.nanoTime() + READY.toNanos();
        while (!listening()) {
            if (!process.isAlive()) {
                throw new IOException("sshd exited with " + process.exitValue() + " at start " + starts + ":\n"
                        + log());
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IOException("sshd is not listening on " + hostPort() + " after " + READY + ":\n" + log());
            }
            Thread.sleep(20); // polling with a deadline, not synchronisation by sleeping
        }
    }

    private boolean listening() {
        String log = log();
        if (!log.contains("Server listening on 127.0.0.1 port " + port)) {
            return false;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitGone(List<ProcessHandle> handles) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (ProcessHandle h : handles) {
            while (h.isAlive()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("sshd process " + h.pid() + " still alive 30 s after SIGKILL");
                }
                Thread.sleep(10);
            }
        }
    }

    private static void keygen(Path dir, Path key, String passphrase) throws IOException, InterruptedException {
        run(dir, List.of(keygen().toString(), "-q", "-t", "ed25519", "-N", passphrase, "-C",
                "litefleet-test-" + key.getFileName(), "-f", key.toString()), "ssh-keygen");
    }

    private static void privilegeSeparationDirectory() {
        Path run = Path.of("/run/sshd");
        if (Files.isDirectory(run)) {
            return;
        }
        try {
            Files.createDirectories(run);
        } catch (IOException e) {
            String why = "sshd needs /run/sshd and it cannot be created here (" + e + "); " + INSTALL_HINT;
            if (PeerTools.isCi()) {
                throw new AssertionError(why, e);
            }
            Assumptions.abort("skipped: " + why);
        }
    }

    private static Path keygen() {
        return require("ssh-keygen", List.of(Path.of("/usr/bin/ssh-keygen")));
    }

    private static Path require(String name, List<Path> fallbacks) {
        Optional<Path> found = PeerTools.find(name).or(() -> fallbacks.stream().filter(Files::isExecutable)
                .findFirst());
        if (found.isEmpty() && PeerTools.isCi()) {
            throw new AssertionError("'" + name + "' is missing under CI: " + INSTALL_HINT);
        }
        Assumptions.assumeTrue(found.isPresent(), () -> "skipped: '" + name + "' not found; " + INSTALL_HINT);
        return found.orElseThrow();
    }

    private static void run(Path dir, List<String> command, String what) throws IOException, InterruptedException {
        PeerProcess.Result r = PeerProcess.run(dir, Duration.ofSeconds(60), command);
        if (r.exitCode() != 0) {
            throw new IOException(what + " failed: " + command + "\n" + r.both());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
