package io.litefleet.testkit.server;

import io.litefleet.testkit.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Debian's {@code etcd} (3.4), started by a test as one member or a cluster of several, every member listening on
 * {@code 127.0.0.1} and free ports (client and peer), with fast elections ({@code --heartbeat-interval 50
 * --election-timeout 500}) and its data directory on {@code /dev/shm} (3.4 has no {@code --unsafe-no-fsync}; tmpfs
 * makes its fsyncs free). A member is ready when {@code GET /health} says {@code "true"}, which needs a leader.
 * Members can be stopped, killed, paused (SIGSTOP) and resumed (SIGCONT) by the PID this object started, and
 * restarted on the same data directory and ports. {@link #close()} stops every member and deletes the data.
 *
 * <p>Where {@code etcd} is missing the test is skipped with a message saying how to install it; under CI
 * ({@code CI=true}) that is a failure. Not thread-safe: one test class drives it.
 */
public final class Etcd implements AutoCloseable {
    /** How to get the server, shown when it is missing. */
    public static final String INSTALL_HINT = "install it with: apt-get install etcd-server etcd-client "
            + "(Debian bookworm, 3.4.23; or run .ci/run)";
    private static final Duration READY = Duration.ofSeconds(30);
    private static final Duration SIGNAL_WAIT = Duration.ofSeconds(30);

    private final Path binary;
    private final Path dir;
    private final Path dataRoot;
    private final List<Member> members;
    private final String initialCluster;
    private final String clusterToken;
    private final ServerProcess[] processes;
    private final List<String> extraArgs;

    /**
     * One member: its name, ports and data directory. Clients use {@code https} when the member was started with
     * {@code --cert-file}; {@code /health} is also served on a plain-HTTP metrics port, which is what readiness polls.
     */
    public record Member(int index, String name, String scheme, int clientPort, int peerPort, int metricsPort,
                         Path dataDir) {
        /** {@code http(s)://127.0.0.1:clientPort}. */
        public URI clientUrl() {
            return URI.create(scheme + "://127.0.0.1:" + clientPort);
        }

        URI peerUrl() {
            return URI.create("http://127.0.0.1:" + peerPort);
        }

        URI metricsUrl() {
            return URI.create("http://127.0.0.1:" + metricsPort);
        }
    }

    private Etcd(Path binary, Path dir, Path dataRoot, List<Member> members, List<String> extraArgs) {
        this.binary = binary;
        this.extraArgs = List.copyOf(extraArgs);
        this.dir = dir;
        this.dataRoot = dataRoot;
        this.members = List.copyOf(members);
        this.initialCluster = members.stream().map(m -> m.name() + "=" + m.peerUrl())
                .collect(Collectors.joining(","));
        this.clusterToken = "litefleet-test-" + UUID.randomUUID();
        this.processes = new ServerProcess[members.size()];
    }

    /** Starts one member whose log lives under {@code dir}; waits until it is healthy. */
    public static Etcd single(Path dir) throws IOException, InterruptedException {
        return cluster(dir, 1, List.of());
    }

    /** Starts {@code size} members at once as one cluster; waits until every member is healthy. */
    public static Etcd cluster(Path dir, int size) throws IOException, InterruptedException {
        return cluster(dir, size, List.of());
    }

    /**
     * Starts {@code size} members with {@code extraArgs} added to each command line (for example
     * {@code --auth-token-ttl 1}); waits until every member is healthy.
     */
    public static Etcd cluster(Path dir, int size, List<String> extraArgs) throws IOException, InterruptedException {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster has at least one member, not " + size);
        }
        Path binary = ServerProcess.binary("etcd", INSTALL_HINT);
        Files.createDirectories(dir);
        Path shm = Path.of("/dev/shm");
        Path dataRoot = Files.createTempDirectory(Files.isDirectory(shm) ? shm : dir, "litefleet-etcd-");
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(new Member(i, "m" + (i + 1), extraArgs.contains("--cert-file") ? "https" : "http",
                    ServerProcess.freePort(), ServerProcess.freePort(), ServerProcess.freePort(),
                    dataRoot.resolve("m" + (i + 1))));
        }
        Etcd etcd = new Etcd(binary, dir, dataRoot, members, extraArgs);
        try {
            for (Member m : members) {
                etcd.launch(m);
            }
            for (Member m : members) {
                etcd.awaitHealthy(m.index());
            }
            return etcd;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            etcd.close();
            throw e;
        }
    }

    /** The members, in start order. */
    public List<Member> members() {
        return members;
    }

    /** Every member's client URL, comma-separated, as {@code etcdctl --endpoints} and the plugin take them. */
    public List<String> endpoints() {
        return members.stream().map(m -> m.clientUrl().toString()).toList();
    }

    /** The PID of member {@code i}, or -1 when it is not running. */
    public long pid(int i) {
        ServerProcess p = processes[i];
        return p == null || !p.isAlive() ? -1 : p.pid();
    }

    /** Whether member {@code i} answers {@code GET /health} with {@code "health":"true"} (within a second). */
    public boolean healthy(int i) {
        return healthBody(members.get(i).metricsUrl()).contains("\"health\":\"true\"");
    }

    /** Waits until member {@code i} is healthy; fails quoting its log when it is not within 30 s. */
    public void awaitHealthy(int i) throws InterruptedException {
        ServerProcess p = processes[i];
        if (!Await.holds(READY, () -> p == null || !p.isAlive() || healthy(i))) {
            throw new AssertionError("etcd " + members.get(i).name() + " was not healthy within " + READY + ":\n"
                    + p.logTail());
        }
        if (p == null || !p.isAlive()) {
            throw new AssertionError("etcd " + members.get(i).name() + " is not running"
                    + (p == null ? "" : ":\n" + p.logTail()));
        }
    }

    /** Stops member {@code i} (SIGTERM, SIGKILL after a grace period) and waits for it to exit. */
    public void stop(int i) {
        ServerProcess p = processes[i];
        if (p != null) {
            p.close();
            processes[i] = null;
        }
    }

    /** Kills member {@code i} with SIGKILL (no clean shutdown) and waits for it to exit. */
    public void kill(int i) throws InterruptedException {
        ServerProcess p = running(i);
        ProcessHandle h = ProcessHandle.of(p.pid()).orElse(null);
        if (h != null) {
            h.destroyForcibly();
            h.onExit().orTimeout(SIGNAL_WAIT.toSeconds(), TimeUnit.SECONDS).join();
        }
        p.close();
        processes[i] = null;
    }

    /** Sends SIGSTOP to member {@code i}: it stays alive but answers nothing until {@link #resume(int)}. */
    public void pause(int i) throws IOException, InterruptedException {
        signal(i, "STOP");
    }

    /** Sends SIGCONT to member {@code i}. */
    public void resume(int i) throws IOException, InterruptedException {
        signal(i, "CONT");
    }

    /**
     * Starts member {@code i} again on its data directory and ports (stopping it first if it runs); does not wait
     * for it to be healthy ({@link #awaitHealthy}), since a member alone in a stopped cluster never is.
     */
    public void restart(int i) throws IOException {
        stop(i);
        launch(members.get(i));
    }

    /** The last lines of member {@code i}'s log, for failure messages. */
    public String logTail(int i) {
        return ServerProcess.tail(dir.resolve(members.get(i).name() + ".log"));
    }

    /** Stops every member (by its PID; paused ones are resumed first) and deletes the data directories. */
    @Override
    public void close() {
        for (int i = 0; i < processes.length; i++) {
            ServerProcess p = processes[i];
            if (p != null && p.isAlive()) {
                try {
                    signal(i, "CONT"); // a stopped process does not act on SIGTERM until it runs again
                } catch (IOException | InterruptedException | RuntimeException e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            stop(i);
        }
        try {
            ServerExtension.deleteTree(dataRoot);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete etcd data under " + dataRoot, e);
        }
    }

    private void launch(Member m) throws IOException {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--name", m.name(),
                "--data-dir", m.dataDir().toString(),
                "--listen-client-urls", m.clientUrl().toString(),
                "--advertise-client-urls", m.clientUrl().toString(),
                "--listen-peer-urls", m.peerUrl().toString(),
                "--initial-advertise-peer-urls", m.peerUrl().toString(),
                "--listen-metrics-urls", m.metricsUrl().toString(),
                "--initial-cluster", initialCluster,
                "--initial-cluster-state", "new",
                "--initial-cluster-token", clusterToken,
                "--heartbeat-interval", "50",
                "--election-timeout", "500",
                "--logger", "zap",
                "--log-outputs", "stderr"));
        command.addAll(extraArgs);
        // Not awaited here: a member serves clients only once a quorum of its peers runs (and /health says true
        // only with a leader), so every member is launched first and health awaited after (awaitHealthy).
        processes[m.index()] = ServerProcess.start(m.name(), command, dir, Map.of(), () -> true, READY);
    }

    private ServerProcess running(int i) {
        ServerProcess p = processes[i];
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException("etcd " + members.get(i).name() + " is not running");
        }
        return p;
    }

    private void signal(int i, String signal) throws IOException, InterruptedException {
        long pid = running(i).pid();
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kill.waitFor(SIGNAL_WAIT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + pid + " failed: " + out.trim());
        }
    }

    /** The body of {@code GET /health}, whatever the status; empty when nothing answers within a second. */
    private static String healthBody(URI metricsUrl) {
        try {
            HttpURLConnection c = (HttpURLConnection) metricsUrl.resolve("/health").toURL().openConnection();
            c.setConnectTimeout(1_000);
            c.setReadTimeout(1_000);
            try {
                var in = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream();
                return in == null ? "?" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return "";
        }
    }
}
