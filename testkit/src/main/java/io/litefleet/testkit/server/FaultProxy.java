package io.litefleet.testkit.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fault-injecting TCP proxy on 127.0.0.1 in front of a test server, for HTTP/1.1 clients. It passes traffic
 * through, or answers every request itself with a chosen status (a throttling storm, refused credentials), or resets
 * every connection once the client has sent a given number of bytes on it (a connection dropped mid-body). Setting
 * a mode closes the open connections; the mode applies to connections accepted after it is set (a client may
 * still try one pooled connection that it has not yet seen closed, so tests set the mode before they open the
 * client under test). It only ever connects to 127.0.0.1 and closes itself when its
 * lifetime ends, so a forgotten proxy cannot outlive its test.
 *
 * <p>Thread-safe. {@link #close()} is idempotent and closes every open connection.
 */
public final class FaultProxy implements AutoCloseable {
    private sealed interface Mode permits Pass, Answer, ResetAfter {
    }

    private record Pass() implements Mode {
    }

    private record Answer(int status, String headers, byte[] body) implements Mode {
    }

    private record ResetAfter(long bytes) implements Mode {
    }

    private final int target;
    private final ServerSocket server;
    private final AtomicReference<Mode> mode = new AtomicReference<>(new Pass());
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    private FaultProxy(int target, ServerSocket server) {
        this.target = target;
        this.server = server;
    }

    /** Starts a proxy to {@code 127.0.0.1:targetPort} that closes itself after {@code lifetime}. */
    public static FaultProxy start(int targetPort, Duration lifetime) {
        ServerSocket s;
        try {
            s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("fault proxy cannot listen on 127.0.0.1", e);
        }
        FaultProxy p = new FaultProxy(targetPort, s);
        Thread.ofVirtual().name("fault-proxy-accept-" + s.getLocalPort()).start(p::acceptLoop);
        Thread.ofVirtual().name("fault-proxy-lifetime-" + s.getLocalPort()).start(() -> p.closeAfter(lifetime));
        return p;
    }

    /** The proxy's port. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT}. */
    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    /** From now on, traffic passes through unchanged. */
    public void passThrough() {
        setMode(new Pass());
    }

    /**
     * From now on, every request is read whole and answered by the proxy with {@code status}, the given content type
     * and body, and {@code Connection: close}; the server never sees it.
     */
    public void answerEveryRequest(int status, String contentType, String body, String... extraHeaders) {
        StringBuilder h = new StringBuilder("Content-Type: " + contentType + "\r\n");
        for (String x : extraHeaders) {
            h.append(x).append("\r\n");
        }
        setMode(new Answer(status, h.toString(), body.getBytes(StandardCharsets.UTF_8)));
    }

    /** From now on, a connection is reset (TCP RST, no response) once the client has sent {@code bytes} on it. */
    public void resetAfter(long bytes) {
        setMode(new ResetAfter(bytes));
    }

    /** Sets the mode and closes open connections, so pooled ones do not carry on in the old mode. */
    private void setMode(Mode m) {
        mode.set(m);
        open.forEach(FaultProxy::closeQuietly);
    }

    /** Requests the proxy answered itself so far. */
    public int answered() {
        return answered.get();
    }

    /** Connections the proxy reset so far. */
    public int resets() {
        return resets.get();
    }

    /** Stops listening and closes every connection. Idempotent. */
    @Override
    public void close() {
        closed.countDown();
        closeQuietly(server);
        open.forEach(FaultProxy::closeQuietly);
    }

    private void closeAfter(Duration lifetime) {
        try {
            closed.await(lifetime.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Mode m = mode.get();
                Thread.ofVirtual().name("fault-proxy-conn-" + client.getPort()).start(() -> serve(client, m));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client, Mode m) {
        try (client) {
            if (m instanceof Answer a) {
                answer(client, a);
                return;
            }
            long limit = m instanceof ResetAfter r ? r.bytes() : Long.MAX_VALUE;
            try (Socket upstream = new Socket()) {
                open.add(upstream);
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5_000);
                Thread back = Thread.ofVirtual().start(() -> pump(upstream, client, Long.MAX_VALUE));
                if (!pump(client, upstream, limit)) {
                    resets.incrementAndGet();
                    client.setSoLinger(true, 0); // close() now sends RST: the peer sees a reset, not an end
                }
                client.close();
                upstream.close();
                back.join();
            } finally {
                open.remove(client);
                open.removeIf(Socket::isClosed);
            }
        } catch (IOException e) {
            // a closed peer ends the connection; nothing to report
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies until EOF (true) or until {@code limit} bytes passed (false: the caller resets). */
    private static boolean pump(Socket from, Socket to, long limit) {
        byte[] buf = new byte[16 * 1024];
        long total = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf, 0, (int) Math.min(buf.length, Math.max(1, limit - total)))) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
                total += n;
                if (total >= limit) {
                    return false;
                }
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
        }
        return true;
    }

    /** Reads requests (head and body) and answers each with the canned response, then closes. */
    private void answer(Socket client, Answer a) throws IOException {
        InputStream in = client.getInputStream();
        String head = readHead(in);
        if (head == null) {
            return;
        }
        drainBody(in, head);
        answered.incrementAndGet();
        OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.1 " + a.status() + " Injected\r\n" + a.headers() + "Content-Length: " + a.body().length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(a.body());
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (b == '\r' ? 1 : 0);
            if (state == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            if (head.size() > 64 * 1024) {
                throw new IOException("request head too long");
            }
        }
        return null;
    }

    private static void drainBody(InputStream in, String head) throws IOException {
        String lower = head.toLowerCase(Locale.ROOT);
        int cl = lower.indexOf("\ncontent-length:");
        if (cl >= 0) {
            long n = Long.parseLong(lower.substring(cl + 16, lower.indexOf('\r', cl)).trim());
            in.skipNBytes(n);
        } else if (lower.contains("\ntransfer-encoding: chunked")) {
            while (true) {
                String size = readLine(in);
                long n = Long.parseLong(size.split(";")[0].trim(), 16);
                in.skipNBytes(n + 2);
                if (n == 0) {
                    return; // (trailers are not used by the clients under test)
                }
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "fault proxy 127.0.0.1:" + port() + " -> 127.0.0.1:" + target + " (" + mode.get() + ")";
    }
}
