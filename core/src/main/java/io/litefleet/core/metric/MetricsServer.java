package io.litefleet.core.metric;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.litefleet.api.ConfigException;
import io.litefleet.core.config.ListenAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves {@code GET /metrics} (Prometheus' text format) on the JDK's HTTP server, as upstream serves it at
 * {@code addr:}; every other path is 404. One thread, {@code litefleet-metrics-0}, answers requests one at a time
 * (a scrape is a few kilobytes, and the series are bounded). {@link #close()} stops the server and its thread;
 * it is idempotent. Thread-safe.
 */
public final class MetricsServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MetricsServer.class.getName());

    private final HttpServer server;
    private final ExecutorService thread;
    private boolean closed;

    private MetricsServer(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    /**
     * Listens on {@code addr} and answers with {@code scrape}'s text.
     *
     * @throws ConfigException naming the key and the address when the host does not resolve or the port is taken
     * @throws IOException     when the socket cannot be opened for another reason
     */
    public static MetricsServer open(ListenAddress addr, Supplier<String> scrape) throws IOException {
        InetSocketAddress socket;
        try {
            socket = addr.host().isEmpty() ? new InetSocketAddress(addr.port())
                    : new InetSocketAddress(InetAddress.getByName(addr.host()), addr.port());
        } catch (UnknownHostException e) {
            throw new ConfigException(addr.where() + ": host '" + addr.host() + "' does not resolve; give an "
                    + "address of this machine, or :" + addr.port() + " for every interface", e);
        }
        HttpServer server;
        try {
            server = HttpServer.create(socket, 16);
        } catch (BindException e) {
            throw new ConfigException(addr.where() + ": cannot listen on " + describe(addr) + ": " + e.getMessage()
                    + " (is the port in use by another process, or is the address not of this machine?)", e);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "litefleet-metrics-0");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.createContext("/", exchange -> answer(exchange, scrape));
        server.start();
        return new MetricsServer(server, thread);
    }

    /** The port listened on (the chosen one when the address asked for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, Supplier<String> scrape) throws IOException {
        try (exchange) {
            boolean metrics = exchange.getRequestURI().getPath().equals("/metrics");
            boolean get = exchange.getRequestMethod().equals("GET") || exchange.getRequestMethod().equals("HEAD");
            byte[] body;
            int status;
            if (!metrics) {
                status = 404;
                body = "404 page not found: metrics are at /metrics\n".getBytes(StandardCharsets.UTF_8);
            } else if (!get) {
                status = 405;
                body = "only GET\n".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                body = text(scrape).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", ReplicationMetrics.CONTENT_TYPE);
            }
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private static String text(Supplier<String> scrape) {
        try {
            return scrape.get();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "metrics scrape failed", e);
            return "";
        }
    }

    private static String describe(ListenAddress addr) {
        return (addr.host().contains(":") ? "[" + addr.host() + "]" : addr.host()) + ":" + addr.port();
    }

    /** Stops listening and ends the thread. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
