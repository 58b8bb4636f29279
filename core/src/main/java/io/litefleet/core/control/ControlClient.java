package io.litefleet.core.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request to a control socket (ours or upstream's daemon), as the control commands send it. Stateless and
 * thread-safe.
 */
public final class ControlClient {
    private ControlClient() {
    }

    /**
     * A response: HTTP status and body.
     *
     * @param status the HTTP status
     * @param body   the body text (JSON from both daemons)
     */
    public record Response(int status, String body) {
        /** The body as a JSON object. */
        public Map<String, Object> json() throws IOException {
            try {
                return Json.parseObject(body);
            } catch (IllegalArgumentException e) {
                throw new IOException("the daemon answered " + status + " with a body that is not a JSON object: "
                        + abbreviate(body), e);
            }
        }

        /** The daemon's error message: its {@code error} field, else the body. */
        public String error() {
            try {
                Object e = Json.parseObject(body).get("error");
                if (e instanceof String s && !s.isEmpty()) {
                    return s;
                }
            } catch (IllegalArgumentException notJson) {
                // Go's mux answers plain text for unknown paths
            }
            return abbreviate(body.strip());
        }
    }

    /**
     * Sends {@code method target} with {@code json} (null: no body) to the daemon listening on {@code socket} and
     * reads its answer, giving up after {@code timeout}.
     *
     * @throws IOException "no litefleet daemon listening on &lt;socket&gt;" when nothing listens there, or naming the
     *                     socket and the timeout when the daemon does not answer in time
     */
    public static Response call(Path socket, String method, String target, String json, Duration timeout)
            throws IOException {
        SocketChannel ch = connect(socket);
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean timedOut = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().name("litefleet-control-timeout").start(() -> {
            try {
                if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut.set(true);
                    ch.close(); // unblocks the read below
                }
            } catch (InterruptedException | IOException e) {
                // the request ended
            }
        });
        try (ch; InputStream in = Channels.newInputStream(ch); OutputStream out = Channels.newOutputStream(ch)) {
            HttpWire.writeRequest(out, method, target, json);
            HttpWire.Response r = HttpWire.readResponse(in);
            return new Response(r.status(), r.body());
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new IOException(socket + ": the daemon did not answer within " + timeout.toSeconds() + " s",
                        e);
            }
            throw new IOException(socket + ": control request failed: " + e.getMessage(), e);
        } finally {
            done.countDown();
            watchdog.interrupt();
        }
    }

    /**
     * Whether something accepts connections on {@code socket} now (a running daemon): false when there is no socket
     * file or nothing listens behind it. Sends nothing.
     */
    public static boolean isListening(Path socket) {
        try (SocketChannel ch = connect(socket)) {
            return ch.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private static SocketChannel connect(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("no litefleet daemon listening on " + socket + " (no socket file there; run "
                    + "'litefleet replicate' with 'socket: {enabled: true, path: " + socket + "}' in its config, or "
                    + "pass -socket PATH)");
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException e) {
            ch.close();
            String why = e instanceof java.nio.file.AccessDeniedException
                    || String.valueOf(e.getMessage()).contains("ermission")
                    ? "permission denied: check socket.permissions and the user running this command"
                    : "nothing accepts connections there (" + e.getMessage() + "): a stale socket file?";
            throw new IOException("no litefleet daemon listening on " + socket + " (" + why + ")", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
