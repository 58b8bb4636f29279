package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A database's {@code snapshot:} section ({@code interval}, {@code retention}), read as upstream v0.5.16 reads it
 * ({@code applyDBSnapshotConfig}): snapshots are one schedule for the whole process, so a value given under a
 * database becomes the process's value unless the top-level {@code snapshot:} sets that key, and two databases that
 * give different values are an error naming both. Stateless.
 */
final class DbSnapshots {
    private static final List<String> KEYS = List.of("interval", "retention");

    private DbSnapshots() {
    }

    /**
     * {@code compaction} (the top-level compaction keys) with its {@code snapshot:} completed from the databases'.
     *
     * @throws ConfigException naming the file, databases, lines and values of a conflict, or a bad value
     */
    static Settings hoist(Settings compaction, List<Settings> dbs) {
        Settings top = compaction.section("snapshot").orElse(new Settings(compaction.origin() + ".snapshot",
                Map.of()));
        Map<String, Object> snapshot = new LinkedHashMap<>(top.values());
        Map<String, Integer> lines = new LinkedHashMap<>(top.lines());
        dbs.forEach(db -> db.section("snapshot").ifPresent(s -> s.rejectUnknownKeys(Set.copyOf(KEYS))));
        for (String key : KEYS) {
            if (top.has(key)) {
                continue;
            }
            Settings from = null;
            for (Settings db : dbs) {
                Optional<Settings> s = db.section("snapshot");
                if (s.isEmpty() || !s.get().has(key)) {
                    continue;
                }
                Duration d = s.get().duration(key, null);
                if (d.isZero()) {
                    throw new ConfigException(s.get().origin() + ": key '" + key + "'" + s.get().at(key)
                            + " must be positive");
                }
                if (from != null && !from.duration(key, null).equals(d)) {
                    throw new ConfigException(s.get().origin() + ": key '" + key + "'" + s.get().at(key) + " is "
                            + s.get().values().get(key) + " but " + from.origin() + " has " + from.values().get(key)
                            + "; snapshots run on one schedule for every database: give one value, or set it "
                            + "once in the top-level 'snapshot:'");
                }
                if (from == null) {
                    from = s.get();
                    snapshot.put(key, s.get().values().get(key));
                }
            }
        }
        Map<String, Object> values = new LinkedHashMap<>(compaction.values());
        if (!snapshot.isEmpty()) {
            values.put("snapshot", new Settings(top.origin(), snapshot, lines));
        }
        return new Settings(compaction.origin(), values, compaction.lines());
    }
}
