package io.litefleet.core.control;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Upstream's control endpoints (v0.5.16 {@code server.go}), same paths, JSON fields, status words and HTTP codes:
 * {@code POST /sync}, {@code /start}, {@code /stop}, {@code /register}, {@code /unregister}; ours: {@code POST
 * /snapshot}; {@code GET /list},
 * {@code /info}, {@code /txid?path=}. Errors are {@code {"error": "...", "details": ...}}. Database paths are
 * resolved as upstream's daemon does ({@code sqlite://} prefix stripped, {@code ~/} expanded, relative to the
 * daemon's working directory). Thread-safe.
 */
final class ControlHandler {
    /** Upstream's default wait for sync -wait, stop and unregister without a timeout. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final ControlTarget target;
    private final String version;
    private final Clock clock;
    private final Instant startedAt;

    ControlHandler(ControlTarget target, String version, Clock clock) {
        this.target = target;
        this.version = version;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** A response: HTTP status and JSON body. */
    record Reply(int status, String json) {
        static Reply ok(Map<String, Object> body) {
            return new Reply(200, Json.write(body));
        }

        static Reply error(int status, String message) {
            return error(status, message, null);
        }

        static Reply error(int status, String message, String details) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", message);
            if (details != null) {
                m.put("details", details);
            }
            return new Reply(status, Json.write(m));
        }
    }

    Reply handle(HttpWire.Request r) {
        String route = r.path();
        String want = switch (route) {
            case "/sync", "/start", "/stop", "/register", "/unregister", "/snapshot" -> "POST";
            case "/list", "/info", "/txid" -> "GET";
            default -> null;
        };
        if (want == null) {
            return Reply.error(404, "no such endpoint: " + route);
        }
        if (!want.equals(r.method())) {
            return Reply.error(405, route + " takes " + want + ", not " + r.method());
        }
        try {
            return switch (route) {
                case "/list" -> list();
                case "/info" -> info();
                case "/txid" -> txid(r.query().get("path"));
                default -> post(route, body(r));
            };
        } catch (BadBody e) {
            return Reply.error(400, e.getMessage(), e.details);
        } catch (ControlException e) {
            return Reply.error(e.status(), e.getMessage());
        } catch (RuntimeException e) {
            return Reply.error(500, "internal error: " + e);
        }
    }

    private Reply post(String route, Map<String, Object> body) throws BadBody, ControlException {
        Path db = path(body);
        Duration timeout = timeout(body);
        return switch (route) {
            case "/sync" -> sync(db, bool(body, "wait"), timeout);
            case "/snapshot" -> snapshot(db, orDefault(timeout));
            case "/start" -> change(target.start(db, orDefault(timeout)), db);
            case "/stop" -> change(target.stop(db, orDefault(timeout)), db);
            case "/unregister" -> change(target.unregister(db, orDefault(timeout)), db);
            default -> register(db, body);
        };
    }

    private Reply sync(Path db, boolean wait, Duration timeout) throws ControlException {
        ControlTarget.SyncOutcome o = target.sync(db, wait, orDefault(timeout));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", !o.changed() ? "no_change" : "synced");
        m.put("path", db.toString());
        m.put("txid", o.txid());
        m.put("replicated_txid", o.replicatedTxid());
        return Reply.ok(m);
    }

    private Reply snapshot(Path db, Duration timeout) throws ControlException {
        ControlTarget.SnapshotOutcome o = target.snapshot(db, timeout);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", o.snapshots() > 0 ? "snapshotted" : "already_snapshotted");
        m.put("path", db.toString());
        m.put("txid", o.txid());
        m.put("snapshots", o.snapshots());
        return Reply.ok(m);
    }

    private static Reply change(ControlTarget.StateChange c, Path db) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", c.status());
        m.put("path", db.toString());
        m.put("txid", c.txid());
        return Reply.ok(m);
    }

    private Reply register(Path db, Map<String, Object> body) throws BadBody, ControlException {
        String url = string(body, "replica_url");
        if (url == null || url.isEmpty()) {
            throw new BadBody("replica_url required", null);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", target.register(db, url));
        m.put("path", db.toString());
        return Reply.ok(m);
    }

    private Reply txid(String path) throws BadBody, ControlException {
        if (path == null || path.isEmpty()) {
            throw new BadBody("path required", null);
        }
        return Reply.ok(Map.of("txid", target.txid(expand(path))));
    }

    private Reply list() {
        List<Object> dbs = new ArrayList<>();
        for (ControlTarget.DatabaseSummary d : target.databases()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", d.path());
            m.put("status", d.status());
            d.lastSyncAt().ifPresent(t -> m.put("last_sync_at", DateTimeFormatter.ISO_INSTANT.format(t)));
            dbs.add(m);
        }
        return Reply.ok(Map.of("databases", dbs));
    }

    private Reply info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("pid", ProcessHandle.current().pid());
        m.put("uptime_seconds", Math.max(0, Duration.between(startedAt, clock.instant()).toSeconds()));
        m.put("started_at", DateTimeFormatter.ISO_INSTANT.format(startedAt));
        m.put("database_count", target.databaseCount());
        return Reply.ok(m);
    }

    /** The request body as an object; fails as upstream does ("invalid request body"). */
    private static Map<String, Object> body(HttpWire.Request r) throws BadBody {
        try {
            return Json.parseObject(r.bodyText());
        } catch (IllegalArgumentException e) {
            throw new BadBody("invalid request body", e.getMessage());
        }
    }

    private static Path path(Map<String, Object> body) throws BadBody {
        String p = string(body, "path");
        if (p == null || p.isEmpty()) {
            throw new BadBody("path required", null);
        }
        return expand(p);
    }

    /** Upstream's daemon-side expansion: {@code sqlite://} prefixes stripped, {@code ~} expanded, made absolute. */
    static Path expand(String p) {
        for (String prefix : List.of("sqlite3://", "sqlite://")) {
            if (p.startsWith(prefix)) {
                p = p.substring(prefix.length());
            }
        }
        if (p.equals("~") || p.startsWith("~/")) {
            p = System.getProperty("user.home") + p.substring(1);
        }
        return Path.of(p).toAbsolutePath().normalize();
    }

    private static Duration timeout(Map<String, Object> body) throws BadBody {
        Object v = body.get("timeout");
        if (v == null) {
            return Duration.ZERO;
        }
        if (!(v instanceof Long n)) {
            throw new BadBody("invalid request body", "timeout must be a whole number of seconds, got "
                    + Json.describe(v));
        }
        return n <= 0 ? Duration.ZERO : Duration.ofSeconds(n);
    }

    private static Duration orDefault(Duration t) {
        return t.isZero() ? DEFAULT_TIMEOUT : t;
    }

    private static String string(Map<String, Object> body, String key) throws BadBody {
        Object v = body.get(key);
        if (v != null && !(v instanceof String)) {
            throw new BadBody("invalid request body", key + " must be a string, got " + Json.describe(v));
        }
        return (String) v;
    }

    private static boolean bool(Map<String, Object> body, String key) throws BadBody {
        Object v = body.get(key);
        if (v != null && !(v instanceof Boolean)) {
            throw new BadBody("invalid request body", key + " must be true or false, got " + Json.describe(v));
        }
        return Boolean.TRUE.equals(v);
    }

    /** A request the handler cannot read: 400 with upstream's message and the reason as details. */
    private static final class BadBody extends Exception {
        private static final long serialVersionUID = 1L;
        final String details;

        BadBody(String message, String details) {
            super(message);
            this.details = details;
        }
    }
}
