package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.engine.ShutdownSync;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed configuration file: Litestream's {@code dbs:} list (and its global keys where Litefleet has the same
 * feature), the design's {@code multi-db:} section and Litefleet's own keys. Every key is checked: an unknown key,
 * a Litestream feature Litefleet does not have, or a bad value is a {@link ConfigException} naming file, line and
 * key.
 *
 * @param file       the file it came from
 * @param dbs        the databases listed under {@code dbs:}
 * @param stateDir   {@code state-dir:}, if given
 * @param multiDb    the raw {@code multi-db:} section, if given (even with {@code enabled: false})
 * @param compaction compaction levels, snapshots and retention, from Litestream's global keys
 * @param fleet      fleet mode, parsed from {@code multi-db:}; empty when the section is absent or
 *                   {@code enabled: false}. Paths listed under {@code dbs:} are replicated as configured there and
 *                   are excluded from the fleet ({@link FleetConfig#excludedPaths()})
 * @param logging    Litestream's {@code logging:} section (level, text or JSON, standard error or output)
 * @param exec       Litestream's {@code exec:}, the application {@code replicate} runs as its child, if given
 * @param http       the HTTP endpoint: upstream's {@code addr:} (metrics, status API and page; on by default at
 *                   {@link HttpConfig#DEFAULT_ADDR}), {@code addr-token:}, {@code health:}
 * @param shutdownSync how hard a stop retries the final syncs ({@code shutdown-sync-timeout},
 *                   {@code shutdown-sync-interval}; upstream's defaults 30 s and 500 ms)
 * @param heartbeat  upstream's {@code heartbeat-url} and {@code heartbeat-interval}, if set
 * @param socket     Litestream's {@code socket:} section (the control socket)
 * @param cluster    the {@code cluster:} section; single-node ({@code type: none}) when absent
 */
public record LitefleetConfig(Path file, List<DbConfig> dbs, Optional<Path> stateDir, Optional<Settings> multiDb,
                              CompactionSettings compaction, Optional<FleetConfig> fleet, LoggingConfig logging,
                              Optional<String> exec, HttpConfig http, ShutdownSync shutdownSync,
                              Optional<HeartbeatConfig> heartbeat, SocketConfig socket, ClusterConfig cluster) {
    private static final Set<String> TOP = topKeys();
    private static final Map<String, String> UNSUPPORTED = Map.of(
            "meta-path", "Litefleet keeps all local state in one state directory: use the top-level 'state-dir'",
            "meta-dir", "Litefleet keeps all local state in one state directory: use the top-level 'state-dir'");
    private static final Set<String> DB_KEYS = Set.of("path", "replica", "replicas", "monitor-interval",
            "checkpoint-interval", "busy-timeout", "min-checkpoint-page-count", "truncate-page-n",
            "max-sync-wal-bytes", "restore-if-db-not-exists", "convert-to-wal", "snapshot");
    private static final Set<String> DB_UNSUPPORTED = Set.of("meta-path", "meta-dir");
    /** Directory-mode keys, which a {@code path:} entry does not take. */
    private static final Set<String> DIR_ONLY = Set.of("pattern", "recursive", "watch");

    /** Validates and copies. */
    public LitefleetConfig {
        dbs = List.copyOf(dbs);
    }

    private static Set<String> topKeys() {
        Set<String> top = new HashSet<>(Set.of("dbs", "multi-db", "state-dir", "addr", "addr-token", "addr-token-file", "health", "levels", "snapshot",
                "l0-retention", "l0-retention-check-interval", "retention", "logging", "shutdown-sync-timeout",
                "shutdown-sync-interval", "heartbeat-url", "heartbeat-interval", "exec", "socket", "cluster"));
        top.addAll(UpstreamKeys.topLevelKeys());
        return Set.copyOf(top);
    }

    /** Where the HTTP endpoint listens ({@code addr:}, or the default), if it is on. */
    public Optional<ListenAddress> addr() {
        return http.addr();
    }

    /** Loads and validates a file. */
    public static LitefleetConfig load(Path file) {
        return load(file, true);
    }

    /** Loads and validates a file, with {@code $VAR} expanded from the environment or left as written. */
    public static LitefleetConfig load(Path file, boolean expandEnv) {
        YamlLoader loader = expandEnv ? YamlLoader.withProcessEnvironment() : YamlLoader.withoutExpansion();
        return parse(file, loader.load(file));
    }

    /** Validates an already-read file. */
    public static LitefleetConfig parse(Path file, Settings top) {
        UpstreamKeys.checkTop(top);
        rejectKeys(top, TOP, UNSUPPORTED.keySet());
        List<DbConfig> dbs = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        List<DirectoryConfig> dirs = new ArrayList<>();
        for (Settings db : top.sections("dbs")) {
            if (db.has("dir")) {
                rejectUnsupported(db);
                dirs.add(DirectoryConfig.parse(db, top));
                continue;
            }
            DbConfig c = db(db, top);
            if (!seen.add(c.path())) {
                throw new ConfigException(db.origin() + ": database " + c.path() + " is listed twice");
            }
            dbs.add(c);
        }
        Optional<Path> stateDir = top.string("state-dir").map(s -> absolute(top, "state-dir", s));
        CompactionSettings compaction = CompactionConfig.parse(DbSnapshots.hoist(pick(top, Set.of("levels",
                "snapshot", "l0-retention", "retention", "l0-retention-check-interval")), top.sections("dbs")));
        Optional<Settings> multiDb = top.section("multi-db");
        Optional<FleetConfig> fleet = FleetConfig.parse(multiDb, top, seen, dirs);
        LoggingConfig logging = LoggingConfig.parse(top.section("logging"));
        Optional<String> exec = top.string("exec").filter(e -> !e.isBlank());
        Optional<HeartbeatConfig> heartbeat = HeartbeatConfig.parse(top);
        if (heartbeat.isPresent() && dbs.isEmpty() && fleet.isPresent()) {
            throw new ConfigException(top.origin() + ": key 'heartbeat-url'" + top.at("heartbeat-url") + " needs "
                    + "databases listed under 'dbs:': it pings while each of them has synced within the interval, "
                    + "and a fleet's idle databases never sync; alert on litestream_sync_error_count from 'addr:' "
                    + "instead");
        }
        return new LitefleetConfig(file, dbs, stateDir, multiDb, compaction, fleet, logging, exec,
                HttpConfig.parse(top), shutdownSync(top), heartbeat, SocketConfig.parse(top.section("socket")),
                ClusterConfig.parse(top));
    }

    private static ShutdownSync shutdownSync(Settings top) {
        Duration interval = top.duration("shutdown-sync-interval", ShutdownSync.DEFAULTS.interval());
        if (interval.isZero()) {
            throw new ConfigException(top.origin() + ": key 'shutdown-sync-interval'" + top.at("shutdown-sync-interval")
                    + " must be positive (the wait between two final-sync attempts at stop)");
        }
        return new ShutdownSync(top.duration("shutdown-sync-timeout", ShutdownSync.DEFAULTS.timeout()), interval);
    }

    private static DbConfig db(Settings db, Settings top) {
        rejectUnsupported(db);
        for (String k : db.keys()) {
            if (DIR_ONLY.contains(k)) {
                throw new ConfigException(db.origin() + ": key '" + k + "'" + db.at(k) + " can only be used with "
                        + "'dir' (directory mode), not with 'path'");
            }
        }
        db.rejectUnknownKeys(DB_KEYS);
        Path path = databasePath(db, "path", db.requireString("path"));
        List<Settings> sections = replicaSections(db);
        EngineSettings d = EngineSettings.DEFAULTS;
        Duration monitor = db.duration("monitor-interval", d.syncInterval());
        EngineSettings engine = new EngineSettings(monitor,
                db.integer("min-checkpoint-page-count", d.minCheckpointPages(), 1, Integer.MAX_VALUE),
                db.integer("truncate-page-n", d.truncatePages(), 1, Integer.MAX_VALUE),
                db.duration("checkpoint-interval", d.checkpointInterval()),
                db.duration("busy-timeout", d.busyTimeout()), d.checkpointBusyTimeout(),
                db.integer("max-sync-wal-bytes", d.maxSyncBytes(), 4096, 1L << 40), db.bool("convert-to-wal", true), 0);
        List<ReplicaConfig> replicas = named(sections.stream().map(r -> replica(r, top, engine.syncInterval()))
                .toList(), sections);
        return new DbConfig(path, replicas, engine.withSyncInterval(replicas.get(0).syncInterval()), db.origin(),
                db.bool("restore-if-db-not-exists", false));
    }

    private static void rejectUnsupported(Settings db) {
        for (String k : db.keys()) {
            if (DB_UNSUPPORTED.contains(k)) {
                throw new ConfigException(db.origin() + ": key '" + k + "'" + db.at(k) + " is a Litestream feature "
                        + "Litefleet does not have" + hint(k));
            }
        }
    }

    static List<Settings> replicaSections(Settings db) {
        Optional<Settings> one = db.section("replica");
        List<Settings> many = db.sections("replicas");
        if (one.isPresent() && !many.isEmpty()) {
            throw new ConfigException(db.origin() + ": give either 'replica' or 'replicas', not both");
        }
        if (one.isEmpty() && many.isEmpty()) {
            throw new ConfigException(db.origin() + ": database needs a 'replica' section (for example: "
                    + "replica: {type: file, path: /backups/db}), or a 'replicas' list");
        }
        return one.map(List::of).orElse(many);
    }

    /**
     * Gives each replica its name: {@code name:} when set, else its type ({@code s3}), numbered when several share a
     * type ({@code s3-2}); two equal explicit names are an error naming both lines.
     */
    public static List<ReplicaConfig> named(List<ReplicaConfig> replicas, List<Settings> sections) {
        List<ReplicaConfig> out = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < replicas.size(); i++) {
            Settings r = sections.get(i);
            Optional<String> explicit = r.string("name");
            String name = explicit.orElse(replicas.get(i).type());
            if (explicit.isPresent() && !taken.add(name)) {
                throw new ConfigException(r.origin() + ": key 'name'" + r.at("name") + " '" + name
                        + "' is used by another replica of this database; names must be unique");
            }
            if (explicit.isEmpty()) {
                String base = name;
                for (int n = 2; !taken.add(name); n++) {
                    name = base + "-" + n;
                }
            }
            out.add(replicas.get(i).named(name));
        }
        return List.copyOf(out);
    }

    /** Parses a replica section; public for fleet mode's template. */
    public static ReplicaConfig replica(Settings r, Settings top, Duration defaultSync) {
        UpstreamKeys.check(r);
        Optional<URI> url = r.string("url").map(u -> uri(r, u));
        String type = r.string("type").orElseGet(() -> url.map(URI::getScheme).orElse("file"))
                .toLowerCase(java.util.Locale.ROOT);
        Duration sync = r.duration("sync-interval", top.duration("sync-interval", defaultSync));
        if (sync.isZero()) {
            Settings where = r.has("sync-interval") ? r : top;
            throw new ConfigException(where.origin() + ": key 'sync-interval'" + where.at("sync-interval")
                    + " must be positive");
        }
        Map<String, Object> backend = new java.util.LinkedHashMap<>(r.values());
        Map<String, Integer> lines = new java.util.LinkedHashMap<>(r.lines());
        ReplicaKeys.ENGINE.forEach(k -> {
            backend.remove(k);
            lines.remove(k);
        });
        int maxFiles = (int) r.integer("max-sync-ltx-files", top.integer("max-sync-ltx-files", 0, 0, Integer.MAX_VALUE),
                0, Integer.MAX_VALUE);
        return new ReplicaConfig(type, url, new Settings(r.origin(), backend, lines), sync, type,
                UpstreamKeys.backendDefaults(top), maxFiles);
    }

    private static URI uri(Settings s, String text) {
        try {
            return ReplicaUrl.parse(text);
        } catch (ConfigException e) {
            throw new ConfigException(s.origin() + ": key 'url'" + s.at("url") + ": " + e.getMessage(), e);
        }
    }

    /**
     * A database path ({@code path:}) or directory ({@code dir:}) read as upstream reads it: a {@code sqlite3://} or
     * {@code sqlite://} prefix is dropped, {@code ~} and {@code ~/...} are the user's home, and a relative path is
     * taken against the working directory.
     */
    static Path databasePath(Settings s, String key, String value) {
        String v = value;
        for (String prefix : List.of("sqlite3://", "sqlite://")) {
            if (v.startsWith(prefix)) {
                v = v.substring(prefix.length());
                break;
            }
        }
        if (v.isBlank()) {
            throw new ConfigException(s.origin() + ": key '" + key + "'" + s.at(key) + " must be a path, got '"
                    + value + "'");
        }
        if (v.equals("~") || v.startsWith("~/")) {
            v = System.getProperty("user.home") + v.substring(1);
        }
        try {
            return Path.of(v).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(s.origin() + ": key '" + key + "'" + s.at(key) + " is not a valid path: '"
                    + value + "' (" + e.getReason() + ")");
        }
    }

    static Path absolute(Settings s, String key, String value) {
        Path p = Path.of(value);
        if (!p.isAbsolute()) {
            throw new ConfigException(s.origin() + ": key '" + key + "'" + s.at(key) + " must be an absolute path, "
                    + "got '" + value + "'");
        }
        return p.normalize();
    }

    private static void rejectKeys(Settings s, Set<String> known, Set<String> unsupported) {
        for (String k : s.keys()) {
            if (unsupported.contains(k)) {
                throw new ConfigException(s.origin() + ": key '" + k + "'" + s.at(k) + " is a Litestream feature "
                        + "Litefleet does not have: " + UNSUPPORTED.get(k));
            }
        }
        s.rejectUnknownKeys(known);
    }

    private static String hint(String key) {
        String h = UNSUPPORTED.get(key);
        return h == null ? "" : ": " + h;
    }

    private static Settings pick(Settings s, Set<String> keys) {
        Map<String, Object> v = new java.util.LinkedHashMap<>();
        Map<String, Integer> l = new java.util.LinkedHashMap<>();
        for (String k : s.keys()) {
            if (keys.contains(k)) {
                v.put(k, s.values().get(k));
                if (s.lines().containsKey(k)) {
                    l.put(k, s.lines().get(k));
                }
            }
        }
        return new Settings(s.origin(), v, l);
    }
}
