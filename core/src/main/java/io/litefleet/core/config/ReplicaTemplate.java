package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.core.engine.EngineSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code replica-template:} of fleet mode: one replica section whose {@code path} holds {@code {{name}}}
 * placeholders, filled from each discovered database's variables.
 *
 * <p><b>Binding.</b> For each pattern, each distinct placeholder, in template order, reads (1) the named capture of
 * that name, else (2) the wildcard after a directory whose singular is that name ({@code databases/*} gives
 * {@code database}), else (3) the first wildcard bound by neither that no earlier placeholder took ({@code #1},
 * {@code #2}, ... in pattern order). A placeholder left without a variable is an error naming the key, the pattern
 * and the placeholder. Placeholders are allowed only in {@code path}: a bucket per value would need a replica client
 * per value, and the fleet shares one client per destination.
 *
 * <p><b>Values.</b> A value must be non-empty and free of control characters; a value containing {@code /} (from a
 * {@code **} wildcard) is kept as nested directories, but no segment may be empty, {@code .} or {@code ..}. Such a
 * value is not escaped: the database is refused with a {@link ConfigException} naming it, so a replica path can
 * neither escape its prefix nor alias another database's.
 *
 * <p>Thread-safe; {@link #resolve} does no I/O and, once a pattern is bound, only concatenates strings.
 */
public final class ReplicaTemplate {
    private final ReplicaConfig base;
    private final TemplatePath path;
    private final String where;
    private final Map<String, Resolver> byPattern = new ConcurrentHashMap<>();

    private ReplicaTemplate(ReplicaConfig base, TemplatePath path, String where) {
        this.base = base;
        this.path = path;
        this.where = where;
    }

    /**
     * Parses a {@code replica-template:} section with {@link LitefleetConfig#replica}; {@code path} is required and
     * is the only key that may hold placeholders.
     *
     * @param section the {@code replica-template:} section
     * @param top     the whole file (for the S3 credentials that {@code dbs:} replicas also inherit)
     * @throws ConfigException naming file, line and key
     */
    public static ReplicaTemplate parse(Settings section, Settings top) {
        if (!section.has("path")) {
            throw new ConfigException(section.origin() + ": missing required key 'path' (the replica path of each "
                    + "database, with placeholders such as \"{{project}}/{{database}}\")");
        }
        String text = section.requireString("path");
        for (String k : section.keys()) {
            if (!k.equals("path") && section.values().get(k) instanceof String v && v.contains("{{")) {
                throw new ConfigException(section.origin() + ": key '" + k + "'" + section.at(k) + " holds a "
                        + "placeholder, got '" + v + "'; placeholders are allowed only in 'path'");
            }
        }
        String where = section.origin() + ".path" + lineOf(section);
        TemplatePath parsed = TemplatePath.parse(text, where);
        ReplicaConfig base = LitefleetConfig.replica(section, top, EngineSettings.DEFAULTS.syncInterval());
        return new ReplicaTemplate(base, parsed, where);
    }

    /** The same template under another destination name. */
    public ReplicaTemplate named(String name) {
        return new ReplicaTemplate(base.named(name), path, where);
    }

    /** The replica with the template text still in {@code path}: type, URL, other backend keys, sync interval. */
    public ReplicaConfig base() {
        return base;
    }

    /** The distinct placeholder names, in order of first appearance. */
    public List<String> placeholders() {
        return path.distinctNames();
    }

    /**
     * Binds every placeholder for every pattern, before anything is discovered, and keeps the bindings for
     * {@link #resolve}.
     *
     * @param variableNamesByPattern for each pattern, its variable names in pattern order, as
     *                               {@link io.litefleet.api.discovery.Discovery#variableNames()} gives them
     * @return warnings, one per variable a pattern captures but no placeholder reads (databases that differ only
     *         there would share a replica path); empty when every variable is used
     * @throws ConfigException naming {@code replica-template.path}, the pattern and the first placeholder that
     *                         does not resolve, with the variables the pattern does have
     */
    public List<String> validate(Map<String, List<String>> variableNamesByPattern) {
        List<String> warnings = new ArrayList<>();
        variableNamesByPattern.forEach((pattern, names) -> {
            PlaceholderBinding b = bind(pattern, names);
            for (String v : b.unused()) {
                warnings.add("pattern '" + pattern + "': variable '" + v + "' is not used by " + where
                        + " '" + path.text() + "'; databases that differ only there would share a replica path");
            }
        });
        return List.copyOf(warnings);
    }

    /**
     * Which pattern variable each placeholder reads for one pattern (placeholder to variable key), by the rule
     * above; for {@code litefleet} diagnostics and documentation.
     *
     * @throws ConfigException as {@link #validate} when a placeholder does not resolve
     */
    public Map<String, String> bindings(String pattern, List<String> variableNames) {
        return bind(pattern, variableNames).bound();
    }

    /**
     * The replica path of one database: the template with each placeholder replaced by its value.
     *
     * @throws ConfigException naming the database, the placeholder and the value when the path cannot be built
     *                         (a placeholder does not resolve for its pattern, or a value is unusable)
     */
    public String resolvePath(DiscoveredDatabase db) {
        Resolver r = byPattern.get(db.pattern());
        if (r == null) {
            bind(db.pattern(), List.copyOf(db.variables().keySet()));
            r = byPattern.get(db.pattern());
        }
        return r.resolve(db);
    }

    /**
     * The concrete replica of one database: {@link #base()} with its {@code path} resolved.
     *
     * @throws ConfigException as {@link #resolvePath}
     */
    public ReplicaConfig resolve(DiscoveredDatabase db) {
        String resolved = resolvePath(db);
        Settings b = base.backend();
        Map<String, Object> values = new LinkedHashMap<>(b.values());
        values.put("path", resolved);
        return base.withBackend(new Settings(b.origin(), values, b.lines()));
    }

    /**
     * The inverse of {@link #resolvePath} for one pattern: the pattern's variables (key to value) that give
     * {@code replicaPath}, or empty when the path is not of this template's shape for that pattern, or when a
     * variable of the pattern is read by no placeholder (then the path does not tell its value). Used to find the
     * databases of a replica when their files (and the catalog) are gone. Each placeholder value is one path segment
     * or part of one; a repeated placeholder must repeat its value.
     *
     * @param pattern       the pattern, as configured
     * @param variableNames its variable names, as {@link io.litefleet.api.discovery.Discovery#variableNames()}
     * @param replicaPath   a replica path found in the destination, without leading or trailing {@code /}
     * @throws ConfigException as {@link #validate} when a placeholder does not resolve for the pattern
     */
    public java.util.Optional<Map<String, String>> variablesOf(String pattern, List<String> variableNames,
                                                                String replicaPath) {
        PlaceholderBinding b = bind(pattern, variableNames);
        if (!b.unused().isEmpty()) {
            return java.util.Optional.empty();
        }
        List<String> distinct = path.distinctNames();
        StringBuilder re = new StringBuilder();
        int last = path.names().size();
        for (int i = 0; i <= last; i++) {
            String literal = path.literals().get(i);
            literal = i == 0 ? literal.replaceFirst("^/+", "") : literal;
            literal = i == last ? literal.replaceFirst("/+$", "") : literal;
            re.append(java.util.regex.Pattern.quote(literal));
            if (i < last) {
                int group = distinct.indexOf(path.names().get(i));
                boolean first = path.names().indexOf(path.names().get(i)) == i;
                re.append(first ? "(?<g" + group + ">[^/]+)" : "\\k<g" + group + ">");
            }
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(re.toString()).matcher(trimmed(replicaPath));
        if (!m.matches()) {
            return java.util.Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int g = 0; g < distinct.size(); g++) {
            values.put(b.bound().get(distinct.get(g)), m.group("g" + g));
        }
        return java.util.Optional.of(values);
    }

    /**
     * The part of {@code path} before its first placeholder, up to its last {@code /} and without leading or
     * trailing {@code /}: the prefix under which every database's replica path lies ({@code ""} when the first
     * placeholder is in the first segment).
     */
    public String fixedPrefix() {
        String head = path.literals().get(0);
        int slash = head.lastIndexOf('/');
        return slash < 0 ? "" : trimmed(head.substring(0, slash));
    }

    private static String trimmed(String p) {
        return p.replaceAll("^/+|/+$", "");
    }

    private PlaceholderBinding bind(String pattern, List<String> variableNames) {
        PlaceholderBinding b = PlaceholderBinding.of(path.distinctNames(), variableNames);
        if (!b.unresolved().isEmpty()) {
            String p = b.unresolved().get(0);
            throw new ConfigException(where + ": placeholder {{" + p + "}} cannot be resolved for pattern '"
                    + pattern + "': it has no capture named '" + p + "', no directory named after '" + p
                    + "' before a wildcard, and no wildcard left for it by position (its variables: "
                    + (variableNames.isEmpty() ? "none" : String.join(", ", variableNames)) + ")");
        }
        byPattern.putIfAbsent(pattern, Resolver.of(path, b.bound(), where));
        return b;
    }

    private static String lineOf(Settings s) {
        return s.at("path");
    }

    /** One pattern's compiled template: literals and, per placeholder occurrence, the variable key it reads. */
    private record Resolver(String[] literals, String[] keys, String[] placeholders, String where) {
        static Resolver of(TemplatePath path, Map<String, String> bound, String where) {
            String[] keys = new String[path.names().size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = bound.get(path.names().get(i));
            }
            return new Resolver(path.literals().toArray(String[]::new), keys,
                    path.names().toArray(String[]::new), where);
        }

        String resolve(DiscoveredDatabase db) {
            Map<String, String> vars = db.variables();
            StringBuilder sb = new StringBuilder(64);
            for (int i = 0; i < keys.length; i++) {
                sb.append(literals[i]);
                String v = vars.get(keys[i]);
                String problem = ValueCheck.problem(v);
                if (problem != null) {
                    throw new ConfigException(where + ": database " + db.path() + " (pattern '" + db.pattern()
                            + "') is not replicated: placeholder {{" + placeholders[i] + "}} (variable '" + keys[i]
                            + "') " + problem);
                }
                sb.append(v);
            }
            return sb.append(literals[keys.length]).toString();
        }
    }
}
