package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaUrl;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@code dbs:} entry in upstream's directory mode ({@code dir:} instead of {@code path:}): every SQLite database
 * in {@code dir} whose file name matches {@code pattern} (in subdirectories too when {@code recursive}) replicates
 * to each of the entry's replicas, at the replica's path (or URL path) joined with the database's path relative to
 * {@code dir}, as upstream v0.5.16 derives it ({@code cloneReplicaConfigWithRelativePath}): {@code /data/sub/a.db}
 * under {@code dir: /data} with {@code path: backups} replicates to {@code backups/sub/a.db}. Runs on the fleet
 * engine (see {@code docs/fleet-config.md}).
 *
 * @param dir       absolute, normalised directory
 * @param pattern   the file-name pattern as written (Go {@code filepath.Match} syntax)
 * @param recursive whether subdirectories are searched
 * @param watch     whether databases created later are picked up; without it the databases found at start are the
 *                  entry's databases for the whole run, as upstream
 * @param replicas  the entry's replicas before the relative path is joined, named, at least one
 * @param glob      the glob discovery pattern that finds the same files
 * @param where     the entry's file and {@code dir} line, for messages ({@code /etc/x.yml: dbs[1]: key 'dir' (line 4)})
 */
public record DirectoryConfig(Path dir, String pattern, boolean recursive, boolean watch, List<ReplicaConfig> replicas,
                              String glob, String where) {
    /** The keys a directory entry takes besides {@code replica}/{@code replicas}. */
    static final Set<String> KEYS = Set.of("dir", "pattern", "recursive", "watch", "replica", "replicas");
    /** Per-database engine keys of a {@code path:} entry; the fleet engine's settings are shared by its databases. */
    private static final Set<String> ENGINE_KEYS = Set.of("monitor-interval", "checkpoint-interval", "busy-timeout",
            "min-checkpoint-page-count", "truncate-page-n", "max-sync-wal-bytes");

    /** Validates and copies. */
    public DirectoryConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(pattern, "pattern");
        replicas = List.copyOf(replicas);
        if (!dir.isAbsolute() || replicas.isEmpty()) {
            throw new IllegalArgumentException("absolute dir and at least one replica");
        }
        Objects.requireNonNull(glob, "glob");
        Objects.requireNonNull(where, "where");
    }

    /**
     * Parses a {@code dbs:} entry that has {@code dir:}.
     *
     * @param db  the entry
     * @param top the whole file, for the S3 credentials every replica inherits
     * @throws ConfigException naming file, line, key and value
     */
    static DirectoryConfig parse(Settings db, Settings top) {
        if (db.has("path")) {
            throw new ConfigException(db.origin() + ": give either 'path' or 'dir', not both (key 'dir'" + db.at("dir")
                    + ", key 'path'" + db.at("path") + ")");
        }
        for (String k : db.keys()) {
            if (ENGINE_KEYS.contains(k)) {
                throw new ConfigException(db.origin() + ": key '" + k + "'" + db.at(k) + " is not taken by a "
                        + "directory entry: directory mode runs on the fleet engine, whose settings all its databases "
                        + "share; list a database with 'path:' to tune it alone");
            }
        }
        db.rejectUnknownKeys(KEYS);
        Path dir = LitefleetConfig.databasePath(db, "dir", db.requireString("dir"));
        String where = db.origin() + ": key 'dir'" + db.at("dir");
        if (!db.has("pattern")) {
            throw new ConfigException(db.origin() + ": missing required key 'pattern' for 'dir'" + db.at("dir")
                    + " (a file-name pattern such as \"*.db\")");
        }
        String pattern = db.requireString("pattern");
        String name;
        try {
            name = NamePattern.toGlob(pattern);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(db.origin() + ": key 'pattern'" + db.at("pattern") + " '" + pattern + "' "
                    + e.getMessage(), e);
        }
        boolean recursive = db.bool("recursive", false);
        boolean watch = db.bool("watch", false);
        String base = dir.getParent() == null ? "" : NamePattern.literalPath(dir.toString());
        String glob = base + (recursive ? "/**/" : "/") + name;
        List<Settings> sections = LitefleetConfig.replicaSections(db);
        List<ReplicaConfig> replicas = LitefleetConfig.named(sections.stream()
                .map(r -> LitefleetConfig.replica(r, top, io.litefleet.core.engine.EngineSettings.DEFAULTS
                        .syncInterval())).toList(), sections);
        return new DirectoryConfig(dir, pattern, recursive, watch, replicas, glob, where);
    }

    /** The database's path relative to {@code dir}, with {@code /} separators. */
    public String relativePath(Path database) {
        Path rel = dir.relativize(database.toAbsolutePath().normalize());
        if (rel.toString().isEmpty() || rel.startsWith("..")) {
            throw new IllegalArgumentException(database + " is not under " + dir);
        }
        return rel.toString().replace(java.io.File.separatorChar, '/');
    }

    /** The replicas of one database of this entry: each replica's path or URL path joined with its relative path. */
    public List<ReplicaConfig> replicasFor(Path database) {
        String rel = relativePath(database);
        List<ReplicaConfig> out = new ArrayList<>(replicas.size());
        for (ReplicaConfig r : replicas) {
            out.add(withRelativePath(r, rel));
        }
        return List.copyOf(out);
    }

    /**
     * As upstream: a URL's path gets {@code rel} appended (and stays rooted); else a {@code file} replica's path is
     * joined as a file path, and any other backend's as a {@code /} path (just {@code rel} when it has none).
     */
    static ReplicaConfig withRelativePath(ReplicaConfig r, String rel) {
        if (r.url().isPresent()) {
            URI u = r.url().get();
            String path = u.getPath() == null ? "" : u.getPath();
            String joined = "/" + stripLeadingSlashes(path.isEmpty() ? rel : cleanJoin(path, rel));
            StringBuilder text = new StringBuilder(u.getScheme()).append(':');
            if (u.getRawAuthority() != null || u.getRawSchemeSpecificPart().startsWith("//")) {
                text.append("//").append(u.getRawAuthority() == null ? "" : u.getRawAuthority());
            }
            text.append(ReplicaUrl.escapePath(joined));
            if (u.getRawQuery() != null) {
                text.append('?').append(u.getRawQuery());
            }
            if (u.getRawFragment() != null) {
                text.append('#').append(u.getRawFragment());
            }
            return r.withUrl(Optional.of(ReplicaUrl.parse(text.toString())));
        }
        Settings b = r.backend();
        Optional<String> base = b.string("path").filter(s -> !s.isEmpty());
        String joined = base.map(p -> "file".equals(r.type())
                ? Path.of(p).resolve(rel).normalize().toString() : cleanJoin(p, rel)).orElse(rel);
        Map<String, Object> values = new LinkedHashMap<>(b.values());
        values.put("path", joined);
        return r.withBackend(new Settings(b.origin(), values, b.lines()));
    }

    private static String stripLeadingSlashes(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '/') {
            i++;
        }
        return s.substring(i);
    }

    /** Go's {@code path.Join}: the parts joined by {@code /}, then cleaned ({@code //}, {@code .}, {@code ..}). */
    static String cleanJoin(String base, String rel) {
        String joined = base + "/" + rel;
        boolean rooted = joined.startsWith("/");
        List<String> parts = new ArrayList<>();
        for (String p : joined.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (!parts.isEmpty() && !parts.getLast().equals("..")) {
                    parts.removeLast();
                } else if (!rooted) {
                    parts.add(p);
                }
                continue;
            }
            parts.add(p);
        }
        String out = String.join("/", parts);
        return rooted ? "/" + out : out.isEmpty() ? "." : out;
    }

    /** How the entry is named in messages: {@code dir /data (pattern *.db, recursive)}. */
    public String describe() {
        return "dir " + dir + " (pattern " + pattern + (recursive ? ", recursive" : "") + (watch ? ", watch" : "")
                + ")";
    }
}
