package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.core.compact.CompactionLevel;
import io.litefleet.core.compact.CompactionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Litestream's global compaction keys: {@code levels} (a list of {@code interval}s for L1, L2, ...),
 * {@code snapshot} ({@code interval}, {@code retention}), {@code l0-retention}, {@code l0-retention-check-interval}
 * and {@code retention.enabled}. The check interval batches level-0 deletions (one DELETE per database per
 * interval at most); it is not a timer per database: retention runs from the database's maintenance pass.
 */
public final class CompactionConfig {
    private CompactionConfig() {
    }

    /** The settings; defaults as upstream where a key is absent. */
    public static CompactionSettings parse(Settings s) {
        CompactionSettings d = CompactionSettings.defaults();
        List<CompactionLevel> levels = new ArrayList<>();
        levels.add(d.levels().get(0));
        List<Settings> configured = s.sections("levels");
        if (configured.isEmpty()) {
            levels = d.levels();
        } else {
            for (int i = 0; i < configured.size(); i++) {
                Settings l = configured.get(i);
                l.rejectUnknownKeys(Set.of("interval"));
                Duration interval = l.duration("interval", null);
                if (interval == null || interval.isZero()) {
                    throw new ConfigException(l.origin() + ": each level needs a positive 'interval'");
                }
                levels.add(CompactionLevel.of(i + 1, interval));
            }
        }
        Settings snap = s.section("snapshot").orElse(new Settings(s.origin() + ".snapshot", java.util.Map.of()));
        snap.rejectUnknownKeys(Set.of("interval", "retention"));
        Duration interval = snap.duration("interval", d.snapshotInterval());
        Duration retention = snap.duration("retention", d.snapshotRetention());
        Duration l0 = s.duration("l0-retention", d.l0Retention());
        Duration check = s.duration("l0-retention-check-interval", d.l0RetentionCheck());
        Settings ret = s.section("retention").orElse(new Settings(s.origin() + ".retention", java.util.Map.of()));
        ret.rejectUnknownKeys(Set.of("enabled"));
        if (!ret.bool("enabled", true)) {
            retention = Duration.ofDays(365L * 1000);
            l0 = Duration.ZERO;
        }
        try {
            return new CompactionSettings(levels, interval, retention, l0, check);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.origin() + ": " + e.getMessage());
        }
    }
}
