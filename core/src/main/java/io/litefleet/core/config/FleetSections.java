package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The plugin sections of {@code multi-db:}: {@code discovery:} and {@code tiering-policy:}. Stateless. */
final class FleetSections {
    private FleetSections() {
    }

    /** {@code discovery:} (type default {@code glob}); the plugin's settings get the fleet's {@code patterns}. */
    static PluginSection discovery(Settings fleet, List<String> patterns) {
        Settings d = fleet.section("discovery").orElseGet(() -> empty(fleet, "discovery"));
        rejectReserved(d, "patterns", "give 'patterns' directly under multi-db:");
        Map<String, Object> values = withoutType(d);
        values.put("patterns", patterns);
        return new PluginSection(type(d, "glob"), new Settings(d.origin(), values, d.lines()));
    }

    /**
     * {@code hot-idle-timeout}, the promotion thresholds and {@code tiering-policy:} (type default
     * {@code default}). The thresholds are copied into the policy's settings under the same keys.
     */
    static TieringConfig tiering(Settings fleet) {
        Duration idle = FleetConfig.positive(fleet, "hot-idle-timeout", FleetConfig.DEFAULT_HOT_IDLE_TIMEOUT);
        Duration modified = FleetConfig.positive(fleet, "promote-if-modified-within",
                FleetConfig.DEFAULT_PROMOTE_MODIFIED_WITHIN);
        int accesses = (int) fleet.integer("promote-if-accessed-more-than",
                FleetConfig.DEFAULT_PROMOTE_ACCESSED_MORE_THAN, 0, Integer.MAX_VALUE);
        Settings p = fleet.section("tiering-policy").orElseGet(() -> empty(fleet, "tiering-policy"));
        Map<String, Object> values = withoutType(p);
        for (String k : List.of("hot-idle-timeout", "promote-if-modified-within", "promote-if-accessed-more-than")) {
            rejectReserved(p, k, "give '" + k + "' directly under multi-db:");
        }
        values.put("hot-idle-timeout", text(idle));
        values.put("promote-if-modified-within", text(modified));
        values.put("promote-if-accessed-more-than", Integer.toString(accesses));
        PluginSection policy = new PluginSection(type(p, "default"), new Settings(p.origin(), values, p.lines()));
        return new TieringConfig(idle, modified, accesses, policy);
    }

    private static String type(Settings s, String defaultType) {
        String t = s.string("type").orElse(defaultType).trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw new ConfigException(s.origin() + ": key 'type'" + s.at("type") + " must not be empty");
        }
        return t;
    }

    private static void rejectReserved(Settings s, String key, String hint) {
        if (s.has(key)) {
            throw new ConfigException(s.origin() + ": key '" + key + "'" + s.at(key) + " does not belong here: "
                    + hint);
        }
    }

    private static Map<String, Object> withoutType(Settings s) {
        Map<String, Object> values = new LinkedHashMap<>(s.values());
        values.remove("type");
        return values;
    }

    private static Settings empty(Settings parent, String key) {
        return new Settings(parent.origin() + "." + key, Map.of());
    }

    /** ISO-8601, which {@link Settings#duration} reads back exactly. */
    private static String text(Duration d) {
        return d.toString();
    }
}
