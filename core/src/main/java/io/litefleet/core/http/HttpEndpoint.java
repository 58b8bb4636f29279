package io.litefleet.core.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.litefleet.api.ConfigException;
import io.litefleet.core.config.HttpConfig;
import io.litefleet.core.config.ListenAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon's HTTP endpoint on the JDK's HTTP server: {@code /metrics}, {@code /healthz}, {@code /readyz}, the
 * status API and the status page, as a {@link Router} answers them. Two threads, {@code litefleet-http-0} and
 * {@code -1}, answer requests (a slow listing does not hold a scrape back). {@link #close()} stops the server and its
 * threads; it is idempotent. Thread-safe.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HttpEndpoint.class.getName());
    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService threads;
    private boolean closed;

    private HttpEndpoint(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /**
     * Listens where {@code config} says and answers with {@code router}.
     *
     * @return the endpoint, or empty when it is off, or when the default address is taken (a warning naming the port
     *         and the key; replication goes on without it)
     * @throws ConfigException naming the key and the address when the host does not resolve or an explicit address is
     *                         taken
     * @throws IOException     when the socket cannot be opened for another reason
     */
    public static Optional<HttpEndpoint> open(HttpConfig config, Router router) throws IOException {
        if (config.addr().isEmpty()) {
            return Optional.empty();
        }
        ListenAddress addr = config.addr().get();
        InetSocketAddress socket = socket(addr);
        RemoteAccess access = new RemoteAccess(config.token().isEmpty() && !loopback(socket));
        if (access.open()) {
            LOG.log(System.Logger.Level.WARNING, addr.where() + ": " + describe(addr) + " is reachable from other "
                    + "machines and no 'addr-token' is set: they get /metrics, /healthz and /readyz (as from "
                    + "Litestream), the status API answers them 403; set 'addr-token' (or 'addr-token-file') to "
                    + "open it to them with a bearer token, or bind to 127.0.0.1");
        }
        HttpServer server;
        try {
            server = HttpServer.create(socket, 64);
        } catch (BindException e) {
            if (config.defaulted()) {
                LOG.log(System.Logger.Level.WARNING, "HTTP endpoint not started: the default address "
                        + describe(addr) + " (port " + addr.port() + ") is in use; replicating without metrics and "
                        + "status API. Set the top-level key 'addr:' to another address, or 'addr: off'");
                return Optional.empty();
            }
            throw new ConfigException(addr.where() + ": cannot listen on " + describe(addr) + ": " + e.getMessage()
                    + " (is the port in use by another process, or is the address not of this machine?)", e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "litefleet-http-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", exchange -> send(exchange, access.refusal(exchange.getRequestURI().getRawPath(),
                exchange.getRemoteAddress().getAddress().isLoopbackAddress())
                .orElseGet(() -> router.answer(request(exchange)))));
        server.start();
        LOG.log(System.Logger.Level.INFO, "HTTP endpoint (metrics, status API and page) at http://"
                + describe(addr).replaceFirst(":\\d+$", ":" + server.getAddress().getPort()) + "/"
                + (config.token().isPresent() ? " (bearer token required)" : ""));
        return Optional.of(new HttpEndpoint(server, threads));
    }

    private static InetSocketAddress socket(ListenAddress addr) {
        try {
            return addr.host().isEmpty() ? new InetSocketAddress(addr.port())
                    : new InetSocketAddress(InetAddress.getByName(addr.host()), addr.port());
        } catch (UnknownHostException e) {
            throw new ConfigException(addr.where() + ": host '" + addr.host() + "' does not resolve; give an "
                    + "address of this machine, or :" + addr.port() + " for every interface", e);
        }
    }

    private static boolean loopback(InetSocketAddress socket) {
        return !socket.getAddress().isAnyLocalAddress() && socket.getAddress().isLoopbackAddress();
    }

    private static Request request(HttpExchange exchange) {
        return new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(),
                Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")));
    }

    private static void send(HttpExchange exchange, Answer a) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", a.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            a.headers().forEach(exchange.getResponseHeaders()::set);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(a.status(), head ? -1 : a.body().length == 0 ? -1 : a.body().length);
            if (!head && a.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(a.body());
                }
            }
        }
    }

    private static String describe(ListenAddress addr) {
        return (addr.host().contains(":") ? "[" + addr.host() + "]" : addr.host()) + ":" + addr.port();
    }

    /** The port listened on (the chosen one when the address asked for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops listening and ends the threads. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        threads.shutdown();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
