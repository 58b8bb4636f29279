package io.litefleet.core.http;

import io.litefleet.core.metric.ReplicationMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Maps a {@link Request} to an {@link Answer}: {@code /metrics}, {@code /healthz}, {@code /readyz}, the status API
 * under {@code /v1/} and the status page at {@code /}. Pure apart from the {@link StatusSource} and the scrape it
 * calls, so it is tested without sockets. Thread-safe.
 */
public final class Router {
    private static final System.Logger LOG = System.getLogger(Router.class.getName());
    private static final String DATABASES = "/v1/databases";
    private static final String OWNERS = "/v1/cluster/owners";

    private final Supplier<String> metrics;
    private final StatusSource source;
    private final BearerAuth auth;
    private final byte[] page;

    private Router(Supplier<String> metrics, StatusSource source, BearerAuth auth, byte[] page) {
        this.metrics = metrics;
        this.source = source;
        this.auth = auth;
        this.page = page;
    }

    /**
     * A router answering with {@code metrics}' text at {@code /metrics} and {@code source}'s data elsewhere.
     *
     * @param token the bearer token required by everything but {@code /}, {@code /healthz} and {@code /readyz}
     */
    public static Router create(Supplier<String> metrics, StatusSource source, Optional<String> token) {
        return new Router(metrics, source, BearerAuth.of(token), statusPage());
    }

    private static byte[] statusPage() {
        try (InputStream in = Router.class.getResourceAsStream("status.html")) {
            if (in == null) {
                throw new IllegalStateException("status.html is missing from the module");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The answer to {@code r}. Never throws: a failure of the source is a 500 naming it. */
    public Answer answer(Request r) {
        try {
            return route(r);
        } catch (BadRequest e) {
            return Answer.error(e.status(), e.getMessage());
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, r.method() + " " + r.rawPath() + " failed", e);
            return Answer.error(500, r.method() + " " + r.rawPath() + " failed: " + e);
        }
    }

    private Answer route(Request r) throws Exception {
        String path = r.rawPath();
        switch (path) {
            case "/", "/index.html" -> {
                allow(r, "GET");
                return new Answer(200, "text/html; charset=utf-8", page, Map.of());
            }
            case "/healthz" -> {
                allow(r, "GET");
                return health();
            }
            case "/readyz" -> {
                allow(r, "GET");
                return ready();
            }
            default -> { }
        }
        Optional<String> refused = auth.refusal(r.authorization());
        if (refused.isPresent()) {
            return Answer.error(401, refused.get()).with("WWW-Authenticate", "Bearer realm=\"litefleet\"");
        }
        if (path.equals("/metrics")) {
            allow(r, "GET");
            return new Answer(200, ReplicationMetrics.CONTENT_TYPE, metrics.get().getBytes(StandardCharsets.UTF_8),
                    Map.of());
        }
        if (path.equals("/v1/fleet")) {
            allow(r, "GET");
            return Answer.json(200, source.summary());
        }
        if (path.equals(DATABASES) || path.equals(DATABASES + "/")) {
            allow(r, "GET");
            return list(DatabaseQuery.parse(r.rawQuery()));
        }
        if (path.startsWith(DATABASES + "/")) {
            return database(r, path.substring(DATABASES.length() + 1));
        }
        if (path.equals(OWNERS)) {
            allow(r, "GET");
            return owners(r.rawQuery());
        }
        throw new BadRequest(404, "no such endpoint: " + path + " (endpoints: /, /metrics, /healthz, /readyz, "
                + "/v1/fleet, /v1/databases, /v1/databases/{path}, /v1/databases/{path}/promote, "
                + OWNERS + ")");
    }

    /** Refuses any method but {@code method} (and HEAD with GET) with 405. */
    private static void allow(Request r, String method) {
        boolean ok = r.method().equals(method) || method.equals("GET") && r.method().equals("HEAD");
        if (!ok) {
            throw new BadRequest(405, r.method() + " is not allowed on " + r.rawPath() + "; use " + method);
        }
    }

    private Answer health() throws Exception {
        List<String> reasons = source.unhealthy();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", reasons.isEmpty() ? "ok" : "failing");
        m.put("reasons", reasons);
        return Answer.json(reasons.isEmpty() ? 200 : 503, m);
    }

    private Answer ready() {
        Optional<String> why = source.notReady();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ready", why.isEmpty());
        m.put("reason", why.orElse(null));
        return Answer.json(why.isEmpty() ? 200 : 503, m);
    }

    private Answer list(DatabaseQuery q) throws Exception {
        StatusSource.DatabasePage page = source.list(q);
        List<Object> dbs = new ArrayList<>();
        page.databases().forEach(d -> dbs.add(d.json()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("databases", dbs);
        m.put("nextCursor", page.more() && !page.databases().isEmpty()
                ? q.cursorAfter(page.databases().getLast().path()) : null);
        return Answer.json(200, m);
    }

    /** {@code /v1/cluster/owners?after=LOCATION&limit=N}: the coordinator's owners, a page at a time. */
    private Answer owners(String rawQuery) throws Exception {
        Map<String, String> p = UriParts.query(rawQuery);
        for (String k : p.keySet()) {
            if (!k.equals("after") && !k.equals("limit")) {
                throw new BadRequest(400, "unknown query parameter '" + k + "' (known: after, limit)");
            }
        }
        int limit = DatabaseQuery.limit(p.get("limit"));
        Optional<StatusSource.OwnersPage> page;
        try {
            page = source.owners(p.getOrDefault("after", ""), limit);
        } catch (io.litefleet.api.cluster.CoordinationException e) {
            return Answer.error(503, "cannot read the cluster's owners: " + e.getMessage());
        }
        if (page.isEmpty()) {
            throw new BadRequest(404, "no cluster is configured (the configuration has no cluster: section): "
                    + "every database here is replicated by this instance alone");
        }
        List<Object> owners = new ArrayList<>();
        for (io.litefleet.api.cluster.Owner o : page.get().owners()) {
            Map<String, Object> om = new LinkedHashMap<>();
            om.put("location", o.location());
            om.put("path", o.dbPath());
            om.put("instance", o.instance());
            om.put("token", o.token());
            owners.add(om);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", page.get().instance());
        m.put("owners", owners);
        m.put("nextAfter", page.get().owners().size() == limit ? page.get().owners().getLast().location() : null);
        return Answer.json(200, m);
    }

    /** {@code /v1/databases/{path}} and {@code /v1/databases/{path}/promote}. */
    private Answer database(Request r, String rest) throws Exception {
        int slash = rest.indexOf('/');
        String segment = slash < 0 ? rest : rest.substring(0, slash);
        String action = slash < 0 ? "" : rest.substring(slash + 1);
        if (!action.isEmpty() && !action.equals("promote")) {
            throw new BadRequest(404, "no such endpoint: " + r.rawPath() + " (after the database only /promote "
                    + "follows; encode the path's slashes as %2F)");
        }
        Path db = databasePath(segment);
        if (action.isEmpty()) {
            allow(r, "GET");
            return source.get(db).map(v -> Answer.json(200, v.json()))
                    .orElseThrow(() -> new BadRequest(404, "unknown database: " + db));
        }
        allow(r, "POST");
        StatusSource.PromoteOutcome outcome = source.promote(db);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", db.toString());
        m.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
        return switch (outcome) {
            case ACCEPTED -> Answer.json(202, m);
            case ALREADY_HOT -> Answer.json(200, m);
            case UNKNOWN -> Answer.error(404, "unknown database: " + db);
            case NOT_PROMOTABLE -> Answer.error(409, db + " cannot be promoted: it is deleted, excluded or held by "
                    + "another instance");
        };
    }

    /** The database path of one segment: absolute and normal once decoded. */
    static Path databasePath(String segment) {
        String p = UriParts.segment(segment, "database path");
        if (p.isEmpty() || !p.startsWith("/")) {
            throw new BadRequest(400, "the database must be its absolute path percent-encoded as one segment ('/' "
                    + "as %2F), got '" + p + "'");
        }
        Path path;
        try {
            path = Path.of(p);
        } catch (java.nio.file.InvalidPathException e) {
            throw new BadRequest(400, "the database path is not a path: " + e.getMessage());
        }
        if (!path.normalize().toString().equals(p)) {
            throw new BadRequest(400, "the database path must be normal (no '.', '..', '//' or trailing '/'), got '"
                    + p + "'");
        }
        return path;
    }
}
