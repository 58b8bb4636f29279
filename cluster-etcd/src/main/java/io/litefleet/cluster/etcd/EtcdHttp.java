package io.litefleet.cluster.etcd;

import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.CoordinatorStats;
import io.litefleet.api.cluster.CoordinatorStats.Operation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * Requests to etcd's v3 JSON gateway over {@code java.net.http} (HTTP/1.1): one client, the endpoints tried in turn
 * from the last one that answered (failover on a connection failure, a timeout or "unavailable"), a timeout on every
 * request, and an auth token ({@code Authorization} header) fetched with the user's password and fetched again when
 * etcd says it expired. Thread-safe.
 */
final class EtcdHttp implements AutoCloseable {
    /** gRPC codes that mean "try again, maybe elsewhere": unavailable (no leader), deadline exceeded, aborted. */
    private static final Set<Long> RETRYABLE = Set.of(14L, 4L, 10L);
    private static final long UNAUTHENTICATED = 16;

    private final List<URI> endpoints;
    private final Duration timeout;
    private final Optional<String> username;
    private final Optional<String> password;
    private final HttpClient client;
    private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
    private final LongAdder[] ok = adders();
    private final LongAdder[] failed = adders();
    private volatile int current;
    private volatile String token;

    EtcdHttp(EtcdSettings settings, Executor executor) {
        this.endpoints = settings.endpoints();
        this.timeout = settings.requestTimeout();
        this.username = settings.username();
        this.password = settings.password();
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(timeout);
        if (endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()))) {
            SSLContext ssl = EtcdTls.context(settings.tls());
            b.sslContext(ssl);
        }
        this.client = b.build();
    }

    /** A unary call: POST {@code path} with {@code body}; the answer's JSON object. */
    Map<String, Object> call(Operation op, String operation, String path, Object body) throws CoordinationException {
        return exchange(op, operation, path, body, HttpResponse.BodyHandlers.ofString(),
                (endpoint, r) -> parse(operation, endpoint, r, false));
    }

    /**
     * A server-streaming call that the gateway ends after one message because the request body ends (lease
     * keep-alive): the {@code result} of its first line.
     */
    Map<String, Object> callOnce(Operation op, String operation, String path, Object body)
            throws CoordinationException {
        return exchange(op, operation, path, body, HttpResponse.BodyHandlers.ofString(),
                (endpoint, r) -> parse(operation, endpoint, r, true));
    }

    /** Opens a long-lived stream (watch): the lines, to be closed by the caller. Only opening has a timeout. */
    Stream<String> open(Operation op, String operation, String path, Object body) throws CoordinationException {
        return exchange(op, operation, path, body, HttpResponse.BodyHandlers.ofLines(), (endpoint, r) -> {
            if (r.statusCode() == 200) {
                return r.body();
            }
            try (Stream<String> lines = r.body()) {
                throw failure(operation, endpoint, r.statusCode(), String.join("\n", lines.toList()));
            }
        });
    }

    /** Turns one answer into a result, or throws the failure it reports. */
    private interface Outcome<T, R> {
        R accept(URI endpoint, HttpResponse<T> response) throws CoordinationException;
    }

    /** Counts {@code op}'s outcome: one per call, whatever the endpoints tried. */
    private <T, R> R exchange(Operation op, String operation, String path, Object body,
                              HttpResponse.BodyHandler<T> handler, Outcome<T, R> outcome) throws CoordinationException {
        boolean done = false;
        try {
            R r = exchange(operation, path, body, handler, outcome);
            done = true;
            return r;
        } finally {
            (done ? ok : failed)[op.ordinal()].increment();
        }
    }

    /**
     * Sends one request, to the endpoint that answered last and then to the others in turn while the failure is
     * retryable or a TLS handshake that another member may pass (its own certificate); fetches the auth token again
     * once when etcd says it expired. When every endpoint failed, the last failure is thrown, retryable if any of
     * them was.
     */
    private <T, R> R exchange(String operation, String path, Object body, HttpResponse.BodyHandler<T> handler,
                              Outcome<T, R> outcome) throws CoordinationException {
        String json = Json.write(body);
        CoordinationException last = null;
        CoordinationException lastRetryable = null;
        boolean reauthenticated = false;
        int attempts = endpoints.size();
        for (int attempt = 0; attempt < attempts; attempt++) {
            int at = current;
            URI endpoint = endpoints.get(at);
            try {
                R result = outcome.accept(endpoint, client.send(request(endpoint, path, json), handler));
                current = at;
                return result;
            } catch (AuthExpired e) {
                last = e;
                if (!reauthenticated && username.isPresent()) {
                    reauthenticated = true;
                    token = null;
                    attempts++;
                    continue;
                }
            } catch (CoordinationException e) {
                last = e;
            } catch (SSLHandshakeException e) {
                last = new CoordinationException(false, operation + " at " + endpoint + ": TLS handshake failed (check "
                        + "cluster 'tls': ca-file, cert-file, key-file): " + e.getMessage(), e);
                next(at); // one member's certificate: the others may still be reached
                continue;
            } catch (IOException e) {
                last = new CoordinationException(true, operation + " at " + endpoint + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CoordinationException(true, operation + " at " + endpoint + ": interrupted", e);
            }
            if (!last.isRetryable()) {
                throw last;
            }
            lastRetryable = last;
            next(at);
        }
        throw lastRetryable != null && !last.isRetryable() ? new CoordinationException(true, last.getMessage()
                + "; also: " + lastRetryable.getMessage(), last) : last;
    }

    /** The answer's object; for a streamed answer its first line's {@code result}; the failure an error reports. */
    private static Map<String, Object> parse(String operation, URI endpoint, HttpResponse<String> r,
                                             boolean streamed) throws CoordinationException {
        String body = r.body();
        if (r.statusCode() != 200) {
            throw failure(operation, endpoint, r.statusCode(), body);
        }
        try {
            if (!streamed) {
                return Json.parseObject(body);
            }
            String line = body.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
            if (line.isEmpty()) {
                throw new CoordinationException(true, operation + " at " + endpoint + ": empty answer");
            }
            Map<String, Object> m = Json.parseObject(line);
            if (!m.containsKey("result")) {
                throw failure(operation, endpoint, r.statusCode(), line);
            }
            return Json.object(m, "result");
        } catch (CoordinationException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new CoordinationException(false, operation + " at " + endpoint + ": malformed answer '"
                    + Json.abbreviate(body) + "'", e);
        }
    }

    /** The exception for an error answer: {@code {"error":..,"code":N}} (unary) or {@code {"error":{"grpc_code":N}}}. */
    private static CoordinationException failure(String operation, URI endpoint, int status, String body) {
        long code = -1;
        String message = Json.abbreviate(body.strip());
        try {
            String first = body.lines().filter(l -> !l.isBlank()).findFirst().orElse("{}");
            Map<String, Object> m = Json.parseObject(first);
            if (m.get("error") instanceof Map<?, ?>) {
                Map<String, Object> e = Json.object(m, "error");
                code = Json.int64(e, "grpc_code");
                message = Json.string(e, "message");
            } else if (m.containsKey("code")) {
                code = Json.int64(m, "code");
                message = Json.string(m, "message");
            }
        } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
            // not JSON (a proxy's page): keep the text
        }
        String text = operation + " at " + endpoint + ": HTTP " + status + (code >= 0 ? " (gRPC code " + code + ")"
                : "") + ": " + message;
        if (code == UNAUTHENTICATED || status == 401) {
            return new AuthExpired(text);
        }
        return new CoordinationException(RETRYABLE.contains(code) || status == 503 || status == 502
                || status == 504, text);
    }

    /** etcd refused the token (expired, or the server restarted); fetched again once per call. */
    private static final class AuthExpired extends CoordinationException {
        private static final long serialVersionUID = 1L;

        AuthExpired(String message) {
            super(false, message);
        }
    }

    /** The endpoint requests go to now: the last one that answered, or the next after one that failed. */
    int currentEndpoint() {
        return current;
    }

    /** The calls so far by operation and outcome, with the given session figures. */
    CoordinatorStats stats(java.util.Optional<java.time.Duration> keepAliveAge,
                           java.util.Optional<java.time.Duration> fencedFor) {
        return new CoordinatorStats(sums(ok), sums(failed), keepAliveAge, fencedFor);
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[Operation.values().length];
        Arrays.setAll(a, i -> new LongAdder());
        return a;
    }

    private static long[] sums(LongAdder[] a) {
        return Arrays.stream(a).mapToLong(LongAdder::sum).toArray();
    }

    /** How many requests were sent to {@code path} so far (retries on other endpoints included). */
    long requests(String path) {
        LongAdder n = sent.get(path);
        return n == null ? 0 : n.sum();
    }

    private HttpRequest request(URI endpoint, String path, String json) throws CoordinationException {
        sent.computeIfAbsent(path, k -> new LongAdder()).increment();
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.resolve(path)).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        String t = authToken(endpoint);
        if (t != null) {
            b.header("Authorization", t);
        }
        return b.build();
    }

    private String authToken(URI endpoint) throws CoordinationException {
        if (username.isEmpty()) {
            return null;
        }
        String t = token;
        if (t != null) {
            return t;
        }
        synchronized (this) {
            if (token == null) {
                String json = Json.write(Map.of("name", username.get(), "password", password.orElse("")));
                sent.computeIfAbsent("/v3/auth/authenticate", k -> new LongAdder()).increment();
                HttpRequest r = HttpRequest.newBuilder(endpoint.resolve("/v3/auth/authenticate")).timeout(timeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
                try {
                    HttpResponse<String> a = client.send(r, HttpResponse.BodyHandlers.ofString());
                    if (a.statusCode() != 200) {
                        CoordinationException f = failure("authenticate as '" + username.get() + "'", endpoint,
                                a.statusCode(), a.body());
                        throw new CoordinationException(f.isRetryable(), f.getMessage());
                    }
                    token = Json.string(Json.parseObject(a.body()), "token");
                } catch (IOException e) {
                    if (e instanceof CoordinationException c) {
                        throw c;
                    }
                    throw new CoordinationException(true, "authenticate at " + endpoint + ": " + e, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CoordinationException(true, "authenticate at " + endpoint + ": interrupted", e);
                }
            }
            return token;
        }
    }

    private void next(int failed) {
        if (current == failed) {
            current = (failed + 1) % endpoints.size();
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
