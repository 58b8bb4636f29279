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
 * @param scanInterval         {@code scan-interval:} (default 30s), how often a full scan runs
 * @param coldSnapshotInterval {@code cold-snapshot-interval:}, empty when absent or 0 (then cold databases are settled every longest level interval and snapshotted at the snapshot interval)
 * @param stateDir             {@code state-dir:} of the section, else the top-level one, else empty
 * @param replicaTemplates     {@code replica-template:}: one section, or a list of them (several destinations per
 *                             database, each named by {@code name:} or its type), at least one
 * @param tiering              {@code hot-idle-timeout}, the promotion thresholds and {@code tiering-policy:}
 * @param discovery            {@code discovery:} (default type {@code glob}); its settings carry {@code patterns}
 * @param excludedPaths        paths listed under {@code dbs:}, which fleet mode leaves alone
 * @param origin               where the section was configured, for messages
 * @param convertToWal         {@code convert-to-wal:} (default false): switch discovered rollback-journal databases
 *                             to WAL mode instead of refusing them (silently changing thousands of tenants' journal
 *                             mode would surprise, so fleet mode asks for it)
 */
public record FleetConfig(List<String> patterns, int maxHotDatabases, Duration scanInterval,
                         Optional<Duration> coldSnapshotInterval, Optional<Path> stateDir,
                         List<ReplicaTemplate> replicaTemplates, TieringConfig tiering, PluginSection discovery,
                         Set<Path> excludedPaths, String origin, boolean convertToWal) {

    /** Default of {@code max-hot-databases}, from the design. */
    public static final int DEFAULT_MAX_HOT = 1000;
    /** Default of {@code scan-interval}, from the design. */
    public static final Duration DEFAULT_SCAN_INTERVAL = Duration.ofSeconds(30);
    /** Default of {@code hot-idle-timeout}, from the design ("after 5 minutes of inactivity"). */
    public static final Duration DEFAULT_HOT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Default of {@code promote-if-modified-within}, from the design ("recent modifications (< 5 minutes)"). */
    public static final Duration DEFAULT_PROMOTE_MODIFIED_WITHIN = Duration.ofMinutes(5);
    /** Default of {@code promote-if-accessed-more-than}, from the design ("access frequency (> 10 accesses)"). */
    public static final int DEFAULT_PROMOTE_ACCESSED_MORE_THAN = 10;

    static final Set<String> KEYS = Set.of("enabled", "patterns", "max-hot-databases", "scan-interval",
            "hot-idle-timeout", "promote-if-modified-within", "promote-if-accessed-more-than",
            "cold-snapshot-interval", "state-dir", "discovery", "tiering-policy", "replica-template",
            "convert-to-wal");

    /** Validates and copies. */
    public FleetConfig {
        patterns = List.copyOf(patterns);
        Objects.requireNonNull(scanInterval, "scanInterval");
        Objects.requireNonNull(coldSnapshotInterval, "coldSnapshotInterval");
        Objects.requireNonNull(stateDir, "stateDir");
        replicaTemplates = List.copyOf(replicaTemplates);
        if (replicaTemplates.isEmpty()) {
            throw new IllegalArgumentException("at least one replica template");
        }
        Objects.requireNonNull(tiering, "tiering");
        Objects.requireNonNull(discovery, "discovery");
        Objects.requireNonNull(origin, "origin");
        excludedPaths = Set.copyOf(excludedPaths);
        if (patterns.isEmpty() || new HashSet<>(patterns).size() != patterns.size()) {
            throw new IllegalArgumentException("patterns must be non-empty and distinct");
        }
        if (maxHotDatabases < 1) {
            throw new IllegalArgumentException("maxHotDatabases must be >= 1");
        }
        if (scanInterval.isZero() || scanInterval.isNegative()) {
            throw new IllegalArgumentException("scanInterval must be positive");
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
        section.rejectUnknownKeys(KEYS);
        if (!section.bool("enabled", true)) {
            return Optional.empty();
        }
        List<String> patterns = patterns(section);
        int maxHot = (int) section.integer("max-hot-databases", DEFAULT_MAX_HOT, 1, Integer.MAX_VALUE);
        Duration scan = positive(section, "scan-interval", DEFAULT_SCAN_INTERVAL);
        Optional<Duration> cold = Optional.of(section.duration("cold-snapshot-interval", Duration.ZERO))
                .filter(d -> !d.isZero());
        Optional<Path> stateDir = section.string("state-dir")
                .map(s -> LitefleetConfig.absolute(section, "state-dir", s))
                .or(() -> top.string("state-dir").map(s -> LitefleetConfig.absolute(top, "state-dir", s)));
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
        TieringConfig tiering = FleetSections.tiering(section);
        PluginSection discovery = FleetSections.discovery(section, patterns);
        return Optional.of(new FleetConfig(patterns, maxHot, scan, cold, stateDir, template, tiering, discovery,
                listedDbs, section.origin(), section.bool("convert-to-wal", false)));
    }

    /** The first (or only) replica template. */
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
