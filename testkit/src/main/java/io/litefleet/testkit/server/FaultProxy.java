package io.litefleet.testkit.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting HTTP/1.1 proxy on 127.0.0.1 in front of one server, for tests of what clients do when the
 * network or the server misbehaves: answer requests with an error instead of forwarding them (a 503 SlowDown storm),
 * cut a connection after some bytes of a request or response body (a connection dropped mid-body), hold a request
 * body until the test releases it (to stop the server mid-upload), or refuse every connection (server down).
 *
 * <p>It parses just enough of each request (request line, {@code Content-Length}, {@code Transfer-Encoding: chunked},
 * {@code Expect}) to count requests and find body boundaries; everything else is forwarded byte for byte. Each
 * fault applies to the next {@code times} requests of a method ({@code null} for any). Requests are recorded with
 * their request line and the names of their headers, never header values (so never a credential).
 *
 * <p>It stops by itself: {@link #close()} ends every connection and thread, its threads are daemons, and it closes
 * itself after {@code maxLifetime} in case a test forgets. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {
    private static final int MAX_HEAD = 64 * 1024;

    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Request> seen = new CopyOnWriteArrayList<>();
    private final AtomicLong requestBodyBytes = new AtomicLong();
    private volatile boolean down;
    private volatile boolean closed;

    private FaultProxy(InetSocketAddress upstream, ServerSocket server) {
        this.upstream = upstream;
        this.server = server;
    }

    /** Starts a proxy in front of {@code upstream} ({@code http://host:port}) that closes itself after 15 minutes. */
    public static FaultProxy open(URI upstream) throws IOException {
        return open(upstream, Duration.ofMinutes(15));
    }

    /** Starts a proxy in front of {@code upstream} that closes itself after {@code maxLifetime}. */
    public static FaultProxy open(URI upstream, Duration maxLifetime) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        FaultProxy p = new FaultProxy(new InetSocketAddress(upstream.getHost(), upstream.getPort()), s);
        daemon("litefleet-test-proxy-accept", p::acceptLoop);
        daemon("litefleet-test-proxy-expiry", () -> {
            try {
                Thread.sleep(maxLifetime.toMillis()); // a deadline, not synchronisation
            } catch (InterruptedException e) {
                return;
            }
            p.close();
        });
        return p;
    }

    /** {@code http://127.0.0.1:<port>}: point the client here instead of at the server. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Answers the next {@code times} requests of {@code method} with {@code status} and S3 error {@code code}. */
    public void answer(String method, int times, int status, String code) {
        answer(method, times, status, code, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code
                + "</Code><Message>injected by FaultProxy</Message></Error>");
    }

    /**
     * Answers the next {@code times} requests of {@code method} with {@code status} (reason {@code reason}) and an
     * XML {@code body}, for answers a server gives with a success status (a DeleteObjects with per-key errors).
     */
    public void answer(String method, int times, int status, String reason, String body) {
        rules.add(new Rule(Kind.ANSWER, method, times, 0, status, reason, body));
    }

    /** Cuts the connection after {@code afterBytes} of the next {@code times} request bodies of {@code method}. */
    public void cutRequestBody(String method, int times, long afterBytes) {
        rules.add(new Rule(Kind.CUT_REQUEST, method, times, afterBytes, 0, null, null));
    }

    /** Cuts the connection after {@code afterBytes} of the responses to the next {@code times} {@code method}s. */
    public void cutResponseBody(String method, int times, long afterBytes) {
        rules.add(new Rule(Kind.CUT_RESPONSE, method, times, afterBytes, 0, null, null));
    }

    /**
     * Holds the next request body of {@code method} after {@code afterBytes} until the returned hold is released;
     * then the rest is forwarded (to wherever the server is by then).
     */
    public Hold holdRequestBody(String method, long afterBytes) {
        Rule r = new Rule(Kind.HOLD, method, 1, afterBytes, 0, null, null);
        rules.add(r);
        return r.hold;
    }

    /** Refuses new connections and cuts every open one, as a dead server would; {@link #up()} undoes it. */
    public void down() {
        down = true;
        sockets.forEach(FaultProxy::closeQuietly);
    }

    /** Accepts connections again. */
    public void up() {
        down = false;
    }

    /** Drops the faults not yet used. */
    public void clear() {
        rules.clear();
    }

    /** The requests seen so far, in order. */
    public List<Request> requests() {
        return List.copyOf(seen);
    }

    /** How many requests so far were {@code method} with a target containing {@code fragment}. */
    public long count(String method, String fragment) {
        return seen.stream().filter(r -> r.method().equals(method) && r.target().contains(fragment)).count();
    }

    /**
     * A request the proxy saw.
     *
     * @param method  the HTTP method
     * @param target  the request target (path and query)
     * @param headers the header names, in lower case; values are not kept
     */
    public record Request(String method, String target, Set<String> headers) {
        @Override
        public String toString() {
            return method + " " + target;
        }
    }

    /** Request body bytes forwarded so far. */
    public long requestBodyBytes() {
        return requestBodyBytes.get();
    }

    /** Closes the listening socket and every connection. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        sockets.forEach(FaultProxy::closeQuietly);
        rules.forEach(r -> r.hold.release());
    }

    /** A request body held by {@link #holdRequestBody}. */
    public static final class Hold {
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        /** Waits until the body reached the hold point; false when {@code timeout} passed first. */
        public boolean awaitHeld(Duration timeout) throws InterruptedException {
            return held.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Lets the body go on. */
        public void release() {
            released.countDown();
        }
    }

    private enum Kind { ANSWER, CUT_REQUEST, CUT_RESPONSE, HOLD }

    private static final class Rule {
        final Kind kind;
        final String method;
        final AtomicInteger left;
        final long bytes;
        final int status;
        final String code;
        final String body;
        final Hold hold = new Hold();

        Rule(Kind kind, String method, int times, long bytes, int status, String code, String body) {
            this.kind = kind;
            this.method = method;
            this.left = new AtomicInteger(times);
            this.bytes = bytes;
            this.status = status;
            this.code = code;
            this.body = body;
        }

        boolean take(String m, long contentLength) {
            boolean bodyRule = kind == Kind.CUT_REQUEST || kind == Kind.HOLD;
            if ((method != null && !method.equalsIgnoreCase(m)) || (bodyRule && contentLength <= bytes)) {
                return false;
            }
            return left.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (down || closed) {
                closeQuietly(client);
                continue;
            }
            sockets.add(client);
            daemon("litefleet-test-proxy-conn", () -> serve(client));
        }
    }

    /** One client connection: requests in order, each forwarded (or faulted), responses pumped back. */
    private void serve(Socket client) {
        Connection c = new Connection(client);
        try (client) {
            InputStream in = client.getInputStream();
            while (!closed) {
                byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                if (!c.request(head, in)) {
                    return;
                }
            }
        } catch (IOException e) {
            // a cut or closed connection: the client sees it as such
        } finally {
            c.close();
        }
    }

    private final class Connection {
        private final Socket client;
        private Socket up;
        private final AtomicLong pumped = new AtomicLong();
        private volatile long cutResponseAt = Long.MAX_VALUE;

        Connection(Socket client) {
            this.client = client;
        }

        /** Handles one request; false when the connection is over. */
        boolean request(byte[] head, InputStream in) throws IOException {
            String text = new String(head, StandardCharsets.ISO_8859_1);
            String line = text.substring(0, text.indexOf("\r\n"));
            String method = line.split(" ", 2)[0];
            boolean chunked = header(text, "transfer-encoding").map(v -> v.equalsIgnoreCase("chunked")).orElse(false);
            // A chunked body's length is unknown: rules on body bytes then apply to whatever it turns out to be.
            long length = chunked ? Long.MAX_VALUE
                    : header(text, "content-length").map(Long::parseLong).orElse(0L);
            boolean expect = header(text, "expect").map(v -> v.equalsIgnoreCase("100-continue")).orElse(false);
            String[] parts = line.split(" ");
            seen.add(new Request(method, parts.length > 1 ? parts[1] : "", headerNames(text)));
            Rule rule = rules.stream().filter(r -> r.take(method, length)).findFirst().orElse(null);
            if (rule != null && rule.kind == Kind.ANSWER) {
                if (!expect && chunked) {
                    copyChunked(in, OutputStream.nullOutputStream(), null, false);
                } else if (!expect) {
                    in.skipNBytes(length); // read the body first, so the client gets to read the answer
                }
                answer(rule.status, rule.code, rule.body);
                return false;
            }
            if (up == null && !connectUpstream()) {
                return false;
            }
            if (rule != null && rule.kind == Kind.CUT_RESPONSE) {
                cutResponseAt = pumped.get() + rule.bytes;
            }
            OutputStream out = up.getOutputStream();
            out.write(head);
            out.flush();
            return chunked ? copyChunked(in, out, rule, true) : copyBody(in, out, 0, length, rule, true);
        }

        /**
         * Forwards a {@code Transfer-Encoding: chunked} body chunk by chunk (size lines and trailers as they are),
         * applying {@code rule} to the body bytes (counted as forwarded when {@code count}); false when the rule cut
         * it or the client went away.
         */
        private boolean copyChunked(InputStream in, OutputStream out, Rule rule, boolean count) throws IOException {
            long done = 0;
            while (true) {
                String size = readLine(in);
                if (size == null) {
                    return false;
                }
                out.write((size + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                long n = Long.parseLong(size.split(";", 2)[0].trim(), 16);
                if (n == 0) {
                    return copyTrailers(in, out);
                }
                if (!copyBody(in, out, done, done + n, rule, count)) {
                    return false;
                }
                done += n;
                if (readLine(in) == null) { // the CRLF after the chunk's data
                    return false;
                }
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        }

        /** The trailer lines of a chunked body, up to and including the blank line. */
        private boolean copyTrailers(InputStream in, OutputStream out) throws IOException {
            while (true) {
                String t = readLine(in);
                if (t == null) {
                    return false;
                }
                out.write((t + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                if (t.isEmpty()) {
                    out.flush();
                    return true;
                }
            }
        }

        /** Forwards body bytes {@code from..length} (offsets within the whole body), applying {@code rule}. */
        private boolean copyBody(InputStream in, OutputStream out, long from, long length, Rule rule, boolean count)
                throws IOException {
            byte[] buf = new byte[64 * 1024];
            long done = from;
            while (done < length) {
                long limit = length - done;
                if (rule != null && rule.kind != Kind.CUT_RESPONSE && done < rule.bytes) {
                    limit = Math.min(limit, rule.bytes - done);
                }
                int n = in.read(buf, 0, (int) Math.min(buf.length, limit));
                if (n < 0) {
                    return false;
                }
                out.write(buf, 0, n);
                out.flush();
                done += n;
                if (count) {
                    requestBodyBytes.addAndGet(n);
                }
                if (rule != null && done == rule.bytes) {
                    if (rule.kind == Kind.CUT_REQUEST) {
                        return false; // the caller closes both sides
                    }
                    if (rule.kind == Kind.HOLD) {
                        rule.hold.held.countDown();
                        awaitRelease(rule.hold);
                    }
                }
            }
            return true;
        }

        private void awaitRelease(Hold hold) throws IOException {
            try {
                hold.released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while holding a body", e);
            }
        }

        private boolean connectUpstream() {
            try {
                up = new Socket();
                up.connect(upstream, 5_000);
                sockets.add(up);
            } catch (IOException e) {
                return false; // server down: the client sees its connection closed
            }
            daemon("litefleet-test-proxy-pump", this::pump);
            return true;
        }

        /** Server to client, byte for byte, cutting where a rule says. */
        private void pump() {
            byte[] buf = new byte[64 * 1024];
            try {
                InputStream in = up.getInputStream();
                OutputStream out = client.getOutputStream();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    long at = pumped.get();
                    int allowed = (int) Math.max(0, Math.min(n, cutResponseAt - at));
                    out.write(buf, 0, allowed);
                    out.flush();
                    pumped.addAndGet(allowed);
                    if (allowed < n) {
                        break;
                    }
                }
            } catch (IOException e) {
                // either side went away
            } finally {
                close();
            }
        }

        private void answer(int status, String reason, String text) throws IOException {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/xml\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n";
            OutputStream out = client.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }

        void close() {
            closeQuietly(client);
            sockets.remove(client);
            if (up != null) {
                closeQuietly(up);
                sockets.remove(up);
            }
        }
    }

    /** One line without its CRLF, or null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                int last = sb.length() - 1;
                return last >= 0 && sb.charAt(last) == '\r' ? sb.substring(0, last) : sb.toString();
            }
            sb.append((char) b);
            if (sb.length() > MAX_HEAD) {
                throw new IOException("line longer than " + MAX_HEAD + " bytes");
            }
        }
        return null;
    }

    /** The request head up to and including the blank line, or null at a clean end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("connection ended inside a request head");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > MAX_HEAD) {
                throw new IOException("request head longer than " + MAX_HEAD + " bytes");
            }
        }
        return head.toByteArray();
    }

    private static Set<String> headerNames(String head) {
        Set<String> names = new java.util.TreeSet<>();
        String[] lines = head.split("\r\n");
        for (String l : java.util.Arrays.asList(lines).subList(1, lines.length)) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                names.add(l.substring(0, colon).trim().toLowerCase(Locale.ROOT));
            }
        }
        return Set.copyOf(names);
    }

    private static java.util.Optional<String> header(String head, String name) {
        for (String l : head.split("\r\n")) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return java.util.Optional.of(l.substring(colon + 1).trim());
            }
        }
        return java.util.Optional.empty();
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + endpoint() + " -> " + upstream + ", rules=" + new ArrayList<>(rules).size() + "]";
    }
}
