package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClientProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A replica section checked against the keys its backend declares ({@link ReplicaClientProvider#keys()}), with the
 * file's top-level replica defaults filled in where the backend accepts them. Stateless.
 */
public final class ReplicaKeys {
    /** The engine's own replica keys, taken out of the section before its backend sees it. */
    static final Set<String> ENGINE = Set.of("type", "url", "name", "sync-interval", "auto-recover",
            "max-sync-ltx-files");

    private ReplicaKeys() {
    }

    /**
     * The backend settings of {@code config} for {@code provider}: the section's keys, every one of which the
     * provider declares, plus each top-level default the provider declares and the section does not set.
     *
     * @throws ConfigException naming the file, section, line and key, and the keys a replica of this type accepts
     */
    public static Settings settings(ReplicaConfig config, ReplicaClientProvider provider) {
        Settings b = config.backend();
        Set<String> accepted = provider.keys();
        for (String k : b.keys()) {
            if (!accepted.contains(k)) {
                Set<String> all = new TreeSet<>(accepted);
                all.addAll(ENGINE);
                throw new ConfigException(b.origin() + ": unknown key '" + k + "'" + b.at(k) + " for a "
                        + provider.type() + " replica (accepted keys: " + String.join(", ", all) + ")");
            }
        }
        Settings d = config.defaults();
        Map<String, Object> values = new LinkedHashMap<>(b.values());
        Map<String, Integer> lines = new LinkedHashMap<>(b.lines());
        for (String k : d.keys()) {
            if (accepted.contains(k) && !values.containsKey(k)) {
                values.put(k, d.values().get(k));
                if (d.lines().containsKey(k)) {
                    lines.put(k, d.lines().get(k));
                }
            }
        }
        return new Settings(b.origin(), values, lines);
    }
}
