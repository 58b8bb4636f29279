package io.litefleet.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One plugin's own configuration section, already parsed: keys are kebab-case, values are strings, lists of
 * strings or nested sections. Every accessor that fails throws {@link ConfigException} naming {@link #origin()},
 * the key and the bad value.
 *
 * @param origin where the section came from, for messages (for example {@code "litefleet.yml: dbs[0].replica"})
 * @param values the section's entries (strings, lists, nested maps or nested {@code Settings}); copied, order kept
 * @param lines  the source line of each key, where known (empty for settings not read from a file)
 */
public record Settings(String origin, Map<String, Object> values, Map<String, Integer> lines) {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");

    /** Validates and copies the entries. */
    public Settings {
        if (origin == null || origin.isBlank()) {
            throw new IllegalArgumentException("origin must name where the settings came from");
        }
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        lines = Map.copyOf(lines);
    }

    /** Settings without line information. */
    public Settings(String origin, Map<String, Object> values) {
        this(origin, values, Map.of());
    }

    /** Settings with the given entries. */
    public static Settings of(String origin, Map<String, ?> values) {
        return new Settings(origin, new LinkedHashMap<>(values));
    }

    /** Whether the key is present. */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The keys present, in their original order. */
    public Set<String> keys() {
        return values.keySet();
    }

    /** Fails naming the first key that is not in {@code known}, and lists the known keys. */
    public void rejectUnknownKeys(Set<String> known) {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new ConfigException(origin + ": unknown key '" + key + "'" + at(key) + " (known keys: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    /** A string value, if present. A list or section under the key is an error. */
    public Optional<String> string(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return Optional.of(v.toString());
        }
        throw new ConfigException(origin + ": key '" + key + "'" + at(key) + " must be a single value, got " + describe(v));
    }

    /** A string value that must be present and non-blank. */
    public String requireString(String key) {
        String s = string(key).orElseThrow(() -> new ConfigException(origin + ": missing required key '" + key + "'"));
        if (s.isBlank()) {
            throw new ConfigException(origin + ": key '" + key + "'" + at(key) + " must not be empty");
        }
        return s;
    }

    /** A list of strings; a single string counts as a list of one. Absent means empty. */
    public List<String> strings(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String || o instanceof Number || o instanceof Boolean)) {
                    throw new ConfigException(origin + ": key '" + key + "'" + at(key) + " must be a list of strings, got an element "
                            + describe(o));
                }
                out.add(o.toString());
            }
            return List.copyOf(out);
        }
        throw new ConfigException(origin + ": key '" + key + "'" + at(key) + " must be a list of strings, got " + describe(v));
    }

    /** A nested section, if present. */
    public Optional<Settings> section(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Settings nested) {
            return Optional.of(nested);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, val) -> copy.put(String.valueOf(k), val));
            return Optional.of(new Settings(origin + "." + key, copy));
        }
        throw new ConfigException(origin + ": key '" + key + "'" + at(key) + " must be a section, got " + describe(v));
    }

    /** A list of sections (for example {@code dbs:}); absent means empty. Each element must be a section. */
    public List<Settings> sections(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw new ConfigException(origin + ": key '" + key + "'" + at(key) + " must be a list of sections, got "
                    + describe(v));
        }
        List<Settings> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object o = list.get(i);
            if (o instanceof Settings nested) {
                out.add(nested);
            } else if (o instanceof Map<?, ?> m) {
                Map<String, Object> copy = new LinkedHashMap<>();
                m.forEach((k, val) -> copy.put(String.valueOf(k), val));
                out.add(new Settings(origin + "." + key + "[" + i + "]", copy));
            } else {
                throw new ConfigException(origin + ": element " + i + " of '" + key + "'" + at(key)
                        + " must be a section, got " + describe(o));
            }
        }
        return List.copyOf(out);
    }

    /** {@code " (line N)"} when the key's source line is known, else empty; for messages. */
    public String at(String key) {
        Integer line = lines.get(key);
        return line == null ? "" : " (line " + line + ")";
    }

    /** A boolean ({@code true}/{@code false}), or the default when absent. */
    public boolean bool(String key, boolean defaultValue) {
        return string(key).map(s -> switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(origin + ": key '" + key + "'" + at(key) + " must be true or false, got '" + s + "'");
        }).orElse(defaultValue);
    }

    /** A long within [{@code min}, {@code max}], or the default when absent. */
    public long integer(String key, long defaultValue, long min, long max) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return defaultValue;
        }
        long v;
        try {
            v = Long.parseLong(s.get().trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new ConfigException(origin + ": key '" + key + "'" + at(key) + " must be an integer, got '" + s.get() + "'");
        }
        if (v < min || v > max) {
            throw new ConfigException(origin + ": key '" + key + "'" + at(key) + " must be between " + min + " and " + max
                    + ", got " + v);
        }
        return v;
    }

    /**
     * A duration in Go/Litestream notation ({@code 1s}, {@code 500ms}, {@code 1h30m}, {@code 2d}) or ISO-8601
     * ({@code PT1S}), or the default when absent. Negative durations are rejected.
     */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return defaultValue;
        }
        return parseDuration(s.get()).orElseThrow(() -> new ConfigException(origin + ": key '" + key
                + "'" + at(key) + " must be a duration such as 1s, 500ms, 5m or 1h30m, got '" + s.get() + "'"));
    }

    /** Parses {@code 1s}, {@code 1h30m}, {@code 0} or ISO-8601; empty when the text is not a duration. */
    public static Optional<Duration> parseDuration(String text) {
        String t = text.trim();
        if (t.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                Duration d = Duration.parse(t);
                return d.isNegative() ? Optional.empty() : Optional.of(d);
            } catch (java.time.format.DateTimeParseException e) {
                return Optional.empty();
            }
        }
        Matcher m = DURATION.matcher(t);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return Optional.empty();
            }
            end = m.end();
            double n = Double.parseDouble(m.group(1));
            long nanosPerUnit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> 86_400_000_000_000L;
            };
            total = total.plusNanos(Math.round(n * nanosPerUnit));
        }
        return end == t.length() && end > 0 ? Optional.of(total) : Optional.empty();
    }

    private static String describe(Object v) {
        if (v instanceof Map<?, ?> || v instanceof Settings) {
            return "a section";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        return "'" + v + "'";
    }
}
