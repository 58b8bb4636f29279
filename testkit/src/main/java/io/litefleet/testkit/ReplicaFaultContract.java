package io.litefleet.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.testkit.server.FaultProxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults a network backend must survive, against its real test server: the server killed mid-upload, a throttling
 * storm, a connection reset mid-body and refused credentials. In every case the failure is a
 * {@link ReplicaException} whose kind tells the engine whether to retry, whose message names the destination
 * ({@link ReplicaClient#describe()}) and holds no secret, nothing partial is ever listed, and the next attempt after
 * the fault clears succeeds with the whole content.
 *
 * <p>A backend's test extends this, starts its server once per class and implements the hooks. Each test gets a
 * {@link FaultProxy} in front of the server (it closes itself after five minutes at most) and its own key prefix;
 * seeds are printed ({@code -Dlitefleet.test.seed=} replays one).
 */
public abstract class ReplicaFaultContract {
    private FaultProxy proxy;
    private String base;
    private long seed;

    /** The port of the server under test on 127.0.0.1. */
    protected abstract int serverPort();

    /** Stops the server at once (its own stop: SIGTERM, SIGKILL if it lingers). */
    protected abstract void stopServer() throws Exception;

    /**
     * Starts the server again on the same port and data, and puts it back in shape (for example, recreates a bucket
     * it lost when it was stopped).
     */
    protected abstract void restartServer() throws Exception;

    /**
     * A new client for the destination at {@code hostPort} (the server itself or the proxy), whose single-request
     * uploads are smaller than {@link #largeBody()}.
     */
    protected abstract ReplicaClient openClient(String hostPort) throws Exception;

    /**
     * A client whose credentials the store refuses. A backend whose test server checks none makes the proxy answer
     * as the real store does (and says so in its test's documentation).
     */
    protected abstract ReplicaClient openRefusedClient(FaultProxy proxy) throws Exception;

    /** The throttling answer of the real store. */
    protected abstract Throttle throttle();

    /** The secrets the clients of this test hold; no message may contain one. */
    protected abstract Set<String> secrets();

    /** Bytes of the upload that is cut short: several single-request uploads' worth. */
    protected long largeBody() {
        return 24L << 20;
    }

    /**
     * A store's throttling answer.
     *
     * @param status the HTTP status (503 or 429)
     * @param code   the store's error code (for example {@code ServerBusy})
     */
    public record Throttle(int status, String code) {
    }

    /** The proxy of this test. */
    protected final FaultProxy proxy() {
        return proxy;
    }

    /** Starts this test's proxy and picks its key prefix. */
    @BeforeEach
    public final void startProxy() throws IOException {
        seed = Long.getLong("litefleet.test.seed", new SplittableRandom().nextLong());
        System.out.println(getClass().getName() + ": seed=" + seed + " (replay with -Dlitefleet.test.seed=" + seed
                + ")");
        base = "faults-" + Long.toHexString(seed) + "/";
        proxy = FaultProxy.open(URI.create("http://127.0.0.1:" + serverPort()), Duration.ofMinutes(5));
    }

    /** Stops the proxy. */
    @AfterEach
    public final void stopProxy() {
        proxy.close();
    }

    @Test
    public void put_serverKilledMidUpload_failsRetryablyListsNothingAndSucceedsAfterRestart() throws Exception {
        String key = base + "ltx/0/0000000000000001-0000000000000001.ltx";
        AtomicBoolean stopped = new AtomicBoolean();
        ObjectBody body = new Generated(seed, largeBody(), largeBody() / 2, () -> {
            try {
                stopServer();
            } catch (Exception e) {
                throw new IllegalStateException("stopping the server failed", e);
            }
            stopped.set(true);
        });
        try (ReplicaClient client = openClient(direct())) {
            ReplicaException e = assertThrows(ReplicaException.class, () -> client.put(key, body, PutOptions.DEFAULT));
            assertTrue(stopped.get(), "the server was stopped mid-upload");
            assertRetryableNamingTheDestination(e, client);
        } finally {
            if (stopped.get()) {
                restartServer();
            }
        }
        try (ReplicaClient client = openClient(direct())) {
            assertNothingUnder(client);
            ObjectBody whole = new Generated(seed, largeBody(), -1, () -> { });
            assertEquals(largeBody(), client.put(key, whole, PutOptions.DEFAULT).size());
            assertSameContent(whole, client, key);
        }
    }

    @Test
    public void throttlingStorm_isThrottledAndPassesOnceItEnds() throws Exception {
        Throttle t = throttle();
        proxy.answer(null, Integer.MAX_VALUE, t.status(), t.code());
        String key = base + "ltx/0/0000000000000002-0000000000000002.ltx";
        byte[] data = ReplicaClientContract.bytes(seed, 100_000);
        try (ReplicaClient client = openClient(proxy.endpoint().getAuthority())) {
            for (ReplicaCall call : List.<ReplicaCall>of(() -> client.put(key, ObjectBody.of(data), PutOptions.DEFAULT),
                    () -> client.list(base), () -> client.stat(key), () -> client.get(key).close())) {
                ReplicaException e = assertThrows(ReplicaException.class, call::run);
                assertEquals(ReplicaFailure.THROTTLED, e.failure(), e.getMessage());
                assertNamesTheDestinationWithoutSecrets(e, client);
            }
            assertTrue(proxy.requests().size() >= 4, "the proxy answered the requests: " + proxy.requests());
            assertRecoversOncePassing(client, key, data);
        }
    }

    @Test
    public void connectionResetMidBody_failsRetryablyListsNothingAndPassesOnceItEnds() throws Exception {
        proxy.cutRequestBody(null, Integer.MAX_VALUE, 64 << 10);
        String key = base + "ltx/0/0000000000000003-0000000000000003.ltx";
        byte[] data = ReplicaClientContract.bytes(seed, 1 << 20);
        try (ReplicaClient client = openClient(proxy.endpoint().getAuthority())) {
            ReplicaException e = assertThrows(ReplicaException.class,
                    () -> client.put(key, ObjectBody.of(data), PutOptions.DEFAULT));
            assertRetryableNamingTheDestination(e, client);
            assertTrue(proxy.requestBodyBytes() >= 64 << 10, "the upload reached the proxy before the cut");
            assertRecoversOncePassing(client, key, data);
        }
    }

    @Test
    public void refusedCredentials_areAuthNamingTheDestinationNeverTheSecret() throws Exception {
        String key = base + "ltx/0/0000000000000004-0000000000000004.ltx";
        try (ReplicaClient client = openRefusedClient(proxy)) {
            for (ReplicaCall call : List.<ReplicaCall>of(
                    () -> client.put(key, ObjectBody.of(new byte[10]), PutOptions.DEFAULT),
                    () -> client.list(base), () -> client.stat(key))) {
                ReplicaException e = assertThrows(ReplicaException.class, call::run);
                assertEquals(ReplicaFailure.AUTH, e.failure(), e.getMessage());
                assertFalse(e.isRetryable(), "refused credentials need a config change");
                assertNamesTheDestinationWithoutSecrets(e, client);
            }
        }
        proxy.clear();
        try (ReplicaClient client = openClient(direct())) {
            assertNothingUnder(client);
        }
    }

    // ---- helpers ----

    private String direct() {
        return "127.0.0.1:" + serverPort();
    }

    /** With the proxy passing again, the same client finds nothing partial and then writes and reads the key. */
    private void assertRecoversOncePassing(ReplicaClient client, String key, byte[] data) throws Exception {
        proxy.clear();
        assertNothingUnder(client);
        client.put(key, ObjectBody.of(data), PutOptions.DEFAULT);
        try (InputStream in = client.get(key)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    private void assertRetryableNamingTheDestination(ReplicaException e, ReplicaClient client) {
        assertTrue(e.isRetryable(), "the engine may retry: " + e.failure() + ": " + e.getMessage());
        assertNamesTheDestinationWithoutSecrets(e, client);
    }

    private void assertNamesTheDestinationWithoutSecrets(ReplicaException e, ReplicaClient client) {
        String all = everything(e);
        assertTrue(e.getMessage().contains(client.describe()), "names " + client.describe() + ": " + e.getMessage());
        for (String secret : secrets()) {
            assertFalse(all.contains(secret), "a secret in the error or its causes: " + all);
        }
    }

    /** Messages and stack traces of the exception, its causes and suppressed ones, as a log would print them. */
    private static String everything(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    private void assertNothingUnder(ReplicaClient client) throws ReplicaException {
        List<ObjectInfo> listed = client.list(base);
        assertEquals(List.of(), listed, "nothing partial is listed");
    }

    private static void assertSameContent(ObjectBody expected, ReplicaClient client, String key) throws IOException {
        try (InputStream e = expected.open(); InputStream a = client.get(key)) {
            byte[] eb = new byte[1 << 16];
            byte[] ab = new byte[1 << 16];
            long pos = 0;
            for (int n; (n = e.readNBytes(eb, 0, eb.length)) > 0; pos += n) {
                assertEquals(n, a.readNBytes(ab, 0, n), "stored object ends early at " + pos);
                assertTrue(java.util.Arrays.equals(eb, 0, n, ab, 0, n), "content differs within " + pos + "+" + n);
            }
            assertEquals(-1, a.read(), "stored object is longer than " + pos);
        }
    }

    @FunctionalInterface
    private interface ReplicaCall {
        void run() throws Exception;
    }

    /** Pseudo-random bytes made on the fly; runs {@code atOffset} once when the reader gets there (-1: never). */
    private record Generated(long seed, long length, long trigger, Runnable atOffset) implements ObjectBody {
        @Override
        public InputStream open() {
            return new InputStream() {
                private final SplittableRandom random = new SplittableRandom(seed);
                private long pos;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (pos == length) {
                        return len == 0 ? 0 : -1;
                    }
                    if (pos == trigger) {
                        atOffset.run();
                    }
                    long until = pos < trigger ? trigger : length;
                    int n = (int) Math.min(len, until - pos);
                    for (int i = 0; i < n; i++) {
                        b[off + i] = (byte) random.nextInt(256);
                    }
                    pos += n;
                    return n;
                }
            };
        }
    }
}
