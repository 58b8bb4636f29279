package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Fleet mode, parsed from the {@code multi-db:} section: which databases to discover, how many may be hot, how
 * tiers change and where each database replicates. Keys, defaults and the placeholder rule are documented in
 * {@code docs/fleet-config.md}.
 *
 * <p>A database also listed under {@code dbs:} is replicated as configured there and is not part of the fleet:
 * its path is in {@link #excludedPaths()}. Parsing checks every key and value; whether each template placeholder
 * resolves for each pattern needs the discovery plugin's {@code variableNames()}, so the fleet manager calls
 * {@link ReplicaTemplate#validate(java.util.Map)} once the discovery exists, before the first scan.
 *
 * @param patterns             {@code patterns:}, absolute glob patterns as written, at least one, no duplicates
 * @param maxHotDatabases      {@code max-hot-databases:} (default 1000), at least 1
 * @param scanInterval         {@code scan-interval:} (default 30s), how often a full scan runs while file-system
 *                             watching is unavailable or not healthy (events lost, directories left unwatched)
 * @param coldSnapshotInterval {@code cold-snapshot-interval:}, empty when absent or 0 (then cold databases are settled every longest level interval and snapshotted at the snapshot interval)
 * @param stateDir             {@code state-dir:} of the section, else the top-level one, else empty
 * @param replicaTemplates     {@code replica-template:}: one section, or a list of them (several destinations per
 *                             database, each named by {@code name:} or its type), at least one
 * @param tiering              {@code hot-idle-timeout}, the promotion thresholds and {@code tiering-policy:}
 * @param discovery            {@code discovery:} (default type {@code glob}); its settings carry {@code patterns}
 * @param excludedPaths        paths listed under {@code dbs:}, which fleet mode leaves alone
 * @param origin               where the section was configured, for messages
 * @param directories          the {@code dbs:} entries in directory mode ({@code dir:}), which run on this fleet
 *                             too, each database at its entry's replicas; {@code patterns} and
 *                             {@code replicaTemplates} are empty when only these run (no {@code multi-db:} patterns)
 * @param convertToWal         {@code convert-to-wal:} of {@code multi-db:}: switch discovered rollback-journal
 *                             databases to WAL mode instead of refusing them. Default false with {@code patterns}
 *                             (silently changing thousands of tenants' journal mode would surprise, so fleet mode
 *                             asks for it); true when only directory entries run, as upstream's directory mode does
 * @param fullScanInterval     {@code full-scan-interval:} (default 1h, or {@code scan-interval} when longer), how
 *                             often a full scan runs while watching is healthy: a safety net for anything watching
 *                             missed; never shorter than {@code scan-interval}
 */
public record FleetConfig(List<String> patterns, int maxHotDatabases, Duration scanInterval,
                         Optional<Duration> coldSnapshotInterval, Optional<Path> stateDir,
                         List<ReplicaTemplate> replicaTemplates, TieringConfig tiering, PluginSection discovery,
                         Set<Path> excludedPaths, String origin, List<DirectoryConfig> directories,
                         boolean convertToWal, Duration fullScanInterval) {

    /** Default of {@code max-hot-databases}, from the design. */
    public static final int DEFAULT_MAX_HOT = 1000;
    /** Default of {@code scan-interval}, from the design. */
    public static final Duration DEFAULT_SCAN_INTERVAL = Duration.ofSeconds(30);
    /** Default of {@code full-scan-interval} (unless {@code scan-interval} is longer). */
    public static final Duration DEFAULT_FULL_SCAN_INTERVAL = Duration.ofHours(1);
    /** Default of {@code hot-idle-timeout}, from the design ("after 5 minutes of inactivity"). */
    public static final Duration DEFAULT_HOT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Default of {@code promote-if-modified-within}, from the design ("recent modifications (< 5 minutes)"). */
    public static final Duration DEFAULT_PROMOTE_MODIFIED_WITHIN = Duration.ofMinutes(5);
    /** Default of {@code promote-if-accessed-more-than}, from the design ("access frequency (> 10 accesses)"). */
    public static final int DEFAULT_PROMOTE_ACCESSED_MORE_THAN = 10;

    static final Set<String> KEYS = Set.of("enabled", "patterns", "max-hot-databases", "scan-interval",
            "hot-idle-timeout", "promote-if-modified-within", "promote-if-accessed-more-than",
            "cold-snapshot-interval", "state-dir", "discovery", "tiering-policy", "replica-template",
            "convert-to-wal", "full-scan-interval");

    /** Validates and copies. */
    public FleetConfig {
        patterns = List.copyOf(patterns);
        Objects.requireNonNull(scanInterval, "scanInterval");
        Objects.requireNonNull(coldSnapshotInterval, "coldSnapshotInterval");
        Objects.requireNonNull(stateDir, "stateDir");
        replicaTemplates = List.copyOf(replicaTemplates);
        directories = List.copyOf(directories);
        if (replicaTemplates.isEmpty() != patterns.isEmpty()) {
            throw new IllegalArgumentException("patterns need at least one replica template, and templates patterns");
        }
        Objects.requireNonNull(tiering, "tiering");
        Objects.requireNonNull(discovery, "discovery");
        Objects.requireNonNull(origin, "origin");
        excludedPaths = Set.copyOf(excludedPaths);
        if (patterns.isEmpty() && directories.isEmpty() || new HashSet<>(patterns).size() != patterns.size()) {
            throw new IllegalArgumentException("patterns (or directories) must be non-empty and distinct");
        }
        if (maxHotDatabases < 1) {
            throw new IllegalArgumentException("maxHotDatabases must be >= 1");
        }
        if (scanInterval.isZero() || scanInterval.isNegative()) {
            throw new IllegalArgumentException("scanInterval must be positive");
        }
        if (Objects.requireNonNull(fullScanInterval, "fullScanInterval").compareTo(scanInterval) < 0) {
            throw new IllegalArgumentException("fullScanInterval must not be shorter than scanInterval");
        }
        checkSyncIntervals(replicaTemplates, directories);
    }

    /** One sync interval for the fleet (see {@link #syncInterval()}): every directory replica has the fleet's. */
    private static void checkSyncIntervals(List<ReplicaTemplate> replicaTemplates,
                                           List<DirectoryConfig> directories) {
        if (directories.isEmpty()) {
            return;
        }
        Duration sync = replicaTemplates.isEmpty() ? directories.get(0).replicas().get(0).syncInterval()
                : replicaTemplates.get(0).base().syncInterval();
        for (DirectoryConfig d : directories) {
            for (ReplicaConfig r : d.replicas()) {
                if (!r.syncInterval().equals(sync)) {
                    throw new ConfigException(d.where() + ": replica '" + r.name() + "' has sync-interval "
                            + r.syncInterval().toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                            + ", but the fleet engine ships all its databases at one interval, "
                            + sync.toString().substring(2).toLowerCase(java.util.Locale.ROOT) + " (from "
                            + (replicaTemplates.isEmpty() ? directories.get(0).where()
                            : "multi-db: replica-template") + "); give every directory entry's replicas the same "
                            + "sync-interval");
                }
            }
        }
    }

    /**
     * Parses a {@code multi-db:} section. Unknown keys are rejected even when the section is disabled; the other
     * keys are checked only when it is enabled.
     *
     * @param section   the {@code multi-db:} section
     * @param top       the whole file, for the top-level {@code state-dir} and the S3 credentials
     * @param listedDbs paths listed under {@code dbs:}
     * @return empty when {@code enabled: false}; {@code enabled} defaults to true when the section is present
     * @throws ConfigException naming file, line, key and value
     */
    public static Optional<FleetConfig> parse(Settings section, Settings top, Set<Path> listedDbs) {
        return parse(Optional.of(section), top, listedDbs, List.of());
    }

    /**
     * The fleet of a file: its {@code multi-db:} section, if any and enabled, plus its directory-mode {@code dbs:}
     * entries. With directory entries, the section may leave out {@code patterns} and {@code replica-template} (it
     * then only tunes the fleet), and without the section, or with {@code enabled: false}, the directory entries run
     * with the fleet's defaults.
     *
     * @return empty when there is neither an enabled section nor a directory entry
     * @throws ConfigException naming file, line, key and value
     */
    public static Optional<FleetConfig> parse(Optional<Settings> multiDb, Settings top, Set<Path> listedDbs,
                                              List<DirectoryConfig> directories) {
        multiDb.ifPresent(m -> m.rejectUnknownKeys(KEYS));
        rejectRepeatedDirectories(directories);
        Optional<Settings> enabled = multiDb.filter(m -> m.bool("enabled", true));
        if (enabled.isEmpty() && directories.isEmpty()) {
            return Optional.empty();
        }
        // Without an enabled section the directory entries run with the defaults (an empty section's).
        Settings section = enabled.orElseGet(() -> Settings.of(directories.get(0).where(), java.util.Map.of()));
        boolean templated = directories.isEmpty() || section.has("patterns") || section.has("replica-template");
        List<String> patterns = templated ? patterns(section) : List.of();
        for (DirectoryConfig d : directories) {
            if (patterns.contains(d.glob())) {
                throw new ConfigException(section.origin() + ": key 'patterns'" + section.at("patterns") + " lists '"
                        + d.glob() + "', which is " + d.where() + " (" + d.describe() + "); a database has one "
                        + "replica layout: remove one of them");
            }
        }
        int maxHot = (int) section.integer("max-hot-databases", DEFAULT_MAX_HOT, 1, Integer.MAX_VALUE);
        Duration scan = positive(section, "scan-interval", DEFAULT_SCAN_INTERVAL);
        Duration fullScan = fullScanInterval(section, scan);
        Optional<Duration> cold = Optional.of(section.duration("cold-snapshot-interval", Duration.ZERO))
                .filter(d -> !d.isZero());
        Optional<Path> stateDir = section.string("state-dir")
                .map(s -> LitefleetConfig.absolute(section, "state-dir", s))
                .or(() -> top.string("state-dir").map(s -> LitefleetConfig.absolute(top, "state-dir", s)));
        List<ReplicaTemplate> template = templated ? templates(section, top) : List.of();
        if (!templated && section.has("discovery")) {
            throw new ConfigException(section.origin() + ": key 'discovery'" + section.at("discovery") + " selects "
                    + "how 'patterns' are searched, and this section has none (directory entries under dbs: are "
                    + "always searched by the glob discovery)");
        }
        TieringConfig tiering = FleetSections.tiering(section);
        PluginSection discovery = templated ? FleetSections.discovery(section, patterns)
                : new PluginSection("glob", Settings.of(section.origin(), java.util.Map.of()));
        return Optional.of(new FleetConfig(patterns, maxHot, scan, cold, stateDir, template, tiering, discovery,
                listedDbs, section.origin(), directories, section.bool("convert-to-wal", !templated), fullScan));
    }

    /** {@code full-scan-interval}: by default an hour, or {@code scan-interval} when that is longer. */
    private static Duration fullScanInterval(Settings section, Duration scan) {
        if (!section.has("full-scan-interval")) {
            return scan.compareTo(DEFAULT_FULL_SCAN_INTERVAL) > 0 ? scan : DEFAULT_FULL_SCAN_INTERVAL;
        }
        Duration full = positive(section, "full-scan-interval", DEFAULT_FULL_SCAN_INTERVAL);
        if (full.compareTo(scan) < 0) {
            throw new ConfigException(section.origin() + ": key 'full-scan-interval'" + section.at("full-scan-interval")
                    + " is " + text(full) + ", shorter than scan-interval " + text(scan) + "; the full-scan interval "
                    + "applies while watching is healthy and must be at least scan-interval");
        }
        return full;
    }

    private static String text(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    private static List<ReplicaTemplate> templates(Settings section, Settings top) {
        List<Settings> templateSections = section.values().get("replica-template") instanceof List<?>
                ? section.sections("replica-template")
                : section.section("replica-template").map(List::of).orElse(List.of());
        if (templateSections.isEmpty()) {
            throw new ConfigException(section.origin() + ": missing required key 'replica-template' (the replica "
                    + "each discovered database gets, with {{placeholders}} in its path; a list for several)");
        }
        List<ReplicaTemplate> parsed = templateSections.stream().map(t -> ReplicaTemplate.parse(t, top)).toList();
        List<ReplicaConfig> names = LitefleetConfig.named(parsed.stream().map(ReplicaTemplate::base).toList(),
                templateSections);
        List<ReplicaTemplate> template = new java.util.ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            template.add(parsed.get(i).named(names.get(i).name()));
        }
        return template;
    }

    /** Two entries with the same directory, pattern and recursion would replicate each database twice. */
    private static void rejectRepeatedDirectories(List<DirectoryConfig> directories) {
        java.util.Map<String, DirectoryConfig> seen = new java.util.HashMap<>();
        for (DirectoryConfig d : directories) {
            DirectoryConfig before = seen.putIfAbsent(d.glob(), d);
            if (before != null) {
                throw new ConfigException(d.where() + ": " + d.describe() + " repeats " + before.where() + "; give "
                        + "one entry several replicas (replicas: [...]) instead");
            }
        }
    }

    /** The directory entry whose glob is {@code pattern} (a discovered database's pattern), if any. */
    public Optional<DirectoryConfig> directory(String pattern) {
        for (DirectoryConfig d : directories) {
            if (d.glob().equals(pattern)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * The sync interval of every fleet database: the first template's, else the first directory entry's first
     * replica's (parsing makes every directory replica agree with it).
     */
    public Duration syncInterval() {
        return replicaTemplates.isEmpty() ? directories.get(0).replicas().get(0).syncInterval()
                : replicaTemplates.get(0).base().syncInterval();
    }

    /** The most destinations a fleet database has (each holds its own connection while hot). */
    public int destinations() {
        int n = replicaTemplates.size();
        for (DirectoryConfig d : directories) {
            n = Math.max(n, d.replicas().size());
        }
        return n;
    }

    /**
     * The backend type of a fleet database's first replica, for listings: that of the first directory entry whose
     * {@code dir} holds it, else the first template's (else the first directory entry's). Compares paths only.
     */
    public String replicaType(Path database) {
        for (DirectoryConfig d : directories) {
            if (database.startsWith(d.dir())) {
                return d.replicas().get(0).type();
            }
        }
        return replicaTemplates.isEmpty() ? directories.get(0).replicas().get(0).type()
                : replicaTemplates.get(0).base().type();
    }

    /** The first (or only) replica template; only when {@link #patterns()} is not empty. */
    public ReplicaTemplate replicaTemplate() {
        return replicaTemplates.get(0);
    }

    /** Whether fleet mode must leave this database alone because {@code dbs:} lists it. */
    public boolean isExcluded(Path databasePath) {
        return excludedPaths.contains(databasePath);
    }

    private static List<String> patterns(Settings s) {
        List<String> patterns = s.strings("patterns");
        if (patterns.isEmpty()) {
            throw new ConfigException(s.origin() + ": missing required key 'patterns' (a list of absolute glob "
                    + "patterns such as \"/data/*/databases/*.db\")");
        }
        Set<String> seen = new HashSet<>();
        for (String p : patterns) {
            if (p.isBlank() || !p.startsWith("/")) {
                throw new ConfigException(s.origin() + ": key 'patterns'" + s.at("patterns")
                        + " must list absolute patterns (starting with /), got '" + p + "'");
            }
            if (!seen.add(p)) {
                throw new ConfigException(s.origin() + ": key 'patterns'" + s.at("patterns") + " lists '" + p
                        + "' twice");
            }
        }
        return patterns;
    }

    static Duration positive(Settings s, String key, Duration defaultValue) {
        Duration d = s.duration(key, defaultValue);
        if (d.isZero()) {
            throw new ConfigException(s.origin() + ": key '" + key + "'" + s.at(key) + " must be positive, got '"
                    + s.string(key).orElse("0") + "'");
        }
        return d;
    }
}
