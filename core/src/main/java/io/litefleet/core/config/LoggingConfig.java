package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Litestream's top-level {@code logging:} section: {@code level} ({@code debug}, {@code info}, {@code warn},
 * {@code error}), {@code type} ({@code text} or {@code json}), {@code stderr} (true: standard error, false:
 * standard output) and {@code source} (each line names the class and method that logged it). Absent keys keep
 * Litefleet's defaults (info, text, standard error, no source).
 *
 * @param level  the lowest level logged
 * @param json   one JSON object per line instead of text
 * @param stderr where lines go when the config says so; empty keeps standard error
 * @param source whether each line names where it was logged (upstream's {@code source:})
 */
public record LoggingConfig(System.Logger.Level level, boolean json, Optional<Boolean> stderr, boolean source) {
    /** Litefleet's defaults. */
    public static final LoggingConfig DEFAULTS = new LoggingConfig(System.Logger.Level.INFO, false, Optional.empty(),
            false);

    /** Without source locations. */
    public LoggingConfig(System.Logger.Level level, boolean json, Optional<Boolean> stderr) {
        this(level, json, stderr, false);
    }

    /** The same settings at another level. */
    public LoggingConfig atLevel(System.Logger.Level l) {
        return new LoggingConfig(l, json, stderr, source);
    }

    /** Parses the section; unknown keys and values are errors naming them. */
    static LoggingConfig parse(Optional<Settings> section) {
        if (section.isEmpty()) {
            return DEFAULTS;
        }
        Settings s = section.get();
        s.rejectUnknownKeys(Set.of("level", "type", "stderr", "source"));
        System.Logger.Level level = s.string("level").map(v -> level(s, v)).orElse(System.Logger.Level.INFO);
        String type = s.string("type").orElse("text").toLowerCase(Locale.ROOT);
        if (!type.equals("text") && !type.equals("json")) {
            throw new ConfigException(s.origin() + ": key 'type'" + s.at("type") + " must be text or json, got '"
                    + type + "'");
        }
        Optional<Boolean> stderr = s.keys().contains("stderr") ? Optional.of(s.bool("stderr", true))
                : Optional.empty();
        return new LoggingConfig(level, type.equals("json"), stderr, s.bool("source", false));
    }

    private static System.Logger.Level level(Settings s, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "debug" -> System.Logger.Level.DEBUG;
            case "info" -> System.Logger.Level.INFO;
            case "warn", "warning" -> System.Logger.Level.WARNING;
            case "error" -> System.Logger.Level.ERROR;
            default -> throw new ConfigException(s.origin() + ": key 'level'" + s.at("level")
                    + " must be debug, info, warn or error, got '" + v + "'");
        };
    }
}
