package io.litefleet.core.config;

import io.litefleet.api.Settings;
import java.util.Objects;

/**
 * A plugin's choice and its own section: the {@code type} that selects the provider, and the settings handed to
 * that provider's {@code create(Settings)} (without {@code type}).
 *
 * @param type     the provider type, lower case (for example {@code glob} or {@code default})
 * @param settings the provider's own keys; its origin names where they were configured
 */
public record PluginSection(String type, Settings settings) {
    /** Validates. */
    public PluginSection {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(settings, "settings");
        if (type.isBlank()) {
            throw new IllegalArgumentException("type must not be blank");
        }
    }
}
