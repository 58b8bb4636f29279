package io.litefleet.core.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The control socket: HTTP/1.1 over a Unix domain socket, upstream's protocol ({@code litestream sync -wait} and the
 * other control commands work against it). The socket file gets the configured permissions before clients can
 * find it: it is bound under a temporary name, chmod-ed, then renamed into place. A stale socket file (nobody
 * listening) is replaced; a live one (another daemon) or a file that is not a socket is refused.
 *
 * <p>Threads: {@code litefleet-control-0} accepts; each connection is served on a virtual thread
 * ({@code litefleet-control-conn-<n>}), since a {@code sync -wait} may block for its timeout; at most
 * {@link #MAX_CONNECTIONS} at once (more are answered 503). {@link #close()} stops accepting, closes open
 * connections, waits for their threads and removes the socket file. Thread-safe.
 */
public final class ControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());
    /** Connections served at once, at most. */
    static final int MAX_CONNECTIONS = 64;
    /** Time a client has to send its request (a stuck or idle client is hung up on). */
    static final java.time.Duration REQUEST_DEADLINE = java.time.Duration.ofSeconds(30);
    /** Longest socket path the kernel takes ({@code sun_path} is 108 bytes with its terminating NUL). */
    static final int MAX_PATH_BYTES = 107;

    private final Path path;
    private final Object fileKey;
    private final ServerSocketChannel channel;
    private final ControlHandler handler;
    private final java.time.Duration requestDeadline;
    private final Thread acceptor;
    private final ExecutorService connections = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("litefleet-control-conn-", 0).factory());
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ControlServer(Path path, Object fileKey, ServerSocketChannel channel, ControlHandler handler,
                          java.time.Duration requestDeadline) {
        this.requestDeadline = requestDeadline;
        this.path = path;
        this.fileKey = fileKey;
        this.channel = channel;
        this.handler = handler;
        this.acceptor = new Thread(this::acceptLoop, "litefleet-control-0");
        this.acceptor.setDaemon(true);
    }

    /**
     * Listens on {@code socket} with file permissions {@code permissions} (octal bits, for example {@code 0600}),
     * serving {@code target}; {@code info} reports {@code version} and the uptime by {@code clock}.
     *
     * @throws IOException naming the path: another daemon listens there, it is not a socket, its directory is
     *                     missing or not writable, or the path is too long for a Unix socket
     */
    public static ControlServer open(Path socket, int permissions, ControlTarget target, String version,
                                     java.time.Clock clock) throws IOException {
        return open(socket, permissions, new ControlHandler(target, version, clock), REQUEST_DEADLINE);
    }

    /** As the public {@code open}, with the time a client has to send its request (tests shorten it). */
    static ControlServer open(Path socket, int permissions, ControlHandler handler,
                              java.time.Duration requestDeadline) throws IOException {
        Path path = socket.toAbsolutePath().normalize();
        int bytes = path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new IOException(path + ": control socket path is " + bytes + " bytes; Unix sockets allow at most "
                    + MAX_PATH_BYTES);
        }
        removeStale(path);
        Path tmp = path.resolveSibling("." + path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(tmp), MAX_CONNECTIONS);
            Files.setPosixFilePermissions(tmp, permissions(permissions));
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            ControlServer s = new ControlServer(path, key, ch, handler, requestDeadline);
            s.acceptor.start();
            return s;
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw new IOException(path + ": cannot create the control socket: " + e, e);
        } catch (RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** The socket file. */
    public Path path() {
        return path;
    }

    /** Removes a socket file nobody listens on; refuses a live one or a file that is not a socket. */
    private static void removeStale(Path path) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        if (!a.isOther()) {
            throw new IOException(path + ": control socket path exists but is not a socket; remove it or set "
                    + "socket.path to another file");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new IOException(path + ": another process is listening on this control socket (a second "
                    + "replicate?); stop it or set socket.path to another file");
        } catch (java.net.ConnectException stale) {
            Files.deleteIfExists(path); // refused: left by a process that died, nobody listens
            LOG.log(System.Logger.Level.INFO, path + ": removed a stale control socket");
        } catch (java.net.SocketException e) {
            throw new IOException(path + ": cannot tell whether another process listens on this control socket ("
                    + e.getMessage() + "); remove it or set socket.path to another file", e);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int k = 0; k < 9; k++) {
            if ((mode & (1 << (8 - k))) != 0) {
                s.add(bits[k]);
            }
        }
        return s;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = channel.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, path + ": control socket accept failed: " + e.getMessage());
                }
                return;
            }
            if (open.size() >= MAX_CONNECTIONS) {
                connections.execute(() -> refuse(c));
                continue;
            }
            open.add(c);
            try {
                connections.execute(() -> serve(c));
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                closeQuietly(c);
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c; InputStream in = Channels.newInputStream(c); OutputStream out = Channels.newOutputStream(c)) {
            HttpWire.Request request;
            Thread deadline = Thread.ofVirtual().name("litefleet-control-deadline").start(() -> {
                try {
                    Thread.sleep(requestDeadline);
                    closeQuietly(c); // the read below fails: the connection ends
                } catch (InterruptedException requestRead) {
                    // in time
                }
            });
            try {
                request = HttpWire.readRequest(in);
            } catch (HttpWire.BadRequest e) {
                HttpWire.writeResponse(out, e.status, ControlHandler.Reply.error(e.status, e.getMessage()).json());
                drain(c, in); // closing with unread input would reset the connection before the client reads this
                return;
            } finally {
                deadline.interrupt();
            }
            ControlHandler.Reply reply = handler.handle(request);
            HttpWire.writeResponse(out, reply.status(), reply.json());
        } catch (IOException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, () -> path + ": control connection: " + e.getMessage());
            }
        } finally {
            open.remove(c);
        }
    }

    /** Ends the answer, then reads what the client still sends (at most a MiB) until it hangs up. */
    private static void drain(SocketChannel c, InputStream in) throws IOException {
        c.shutdownOutput();
        byte[] buf = new byte[8192];
        for (int total = 0; total < (1 << 20); ) {
            int n = in.read(buf);
            if (n < 0) {
                return;
            }
            total += n;
        }
    }

    private static void refuse(SocketChannel c) {
        try (c; OutputStream out = Channels.newOutputStream(c)) {
            HttpWire.writeResponse(out, 503, ControlHandler.Reply.error(503, "too many control connections").json());
        } catch (IOException e) {
            // the client gave up
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Stops accepting, closes open connections, waits for their threads, removes the socket file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> path + ": closing the control socket: " + e.getMessage());
        }
        open.forEach(ControlServer::closeQuietly);
        connections.shutdownNow();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
            if (!connections.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, path + ": control connections still open after 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.fileKey() != null && a.fileKey().equals(fileKey)) {
                Files.delete(path); // only ours: a daemon started after us may own the name now
            }
        } catch (IOException e) {
            // already gone
        }
    }
}
