package io.litefleet.core.cli;

import io.litefleet.api.Settings;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.DirectoryConfig;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.config.ReplicaConfig;
import io.litefleet.core.config.ReplicaTemplate;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.state.Catalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every database a configuration's replicas hold, found so that it works on a new machine after a disaster, where
 * the database files and the state directory may be gone:
 * <ul>
 *   <li>{@code dbs:} entries: from the file;</li>
 *   <li>directory entries ({@code dir:}): by listing the entry's replica, as {@link DirectoryRestore} does;</li>
 *   <li>{@code multi-db:} patterns: by listing the template's destination below its fixed prefix and mapping each
 *       replica path back to a database path: through the catalog when the state directory still has it, else by
 *       inverting the template ({@link ReplicaTemplate#variablesOf}) and filling the pattern ({@link PatternPaths}).
 *       A path is accepted only when the discovery matches it back to the same pattern and the template gives the
 *       same replica path, so the inversion never invents a database. A replica path that maps to none (the template
 *       leaves a pattern variable out) or to several is reported, never guessed.</li>
 * </ul>
 * No storage request per database is made here: one listing per destination.
 */
final class FleetInventory {
    /**
     * What was found.
     *
     * @param databases by path, sorted
     * @param problems  replica paths that map to no single database, each with the reason
     */
    record Found(List<BulkDatabase> databases, List<String> problems) {
        Found {
            databases = List.copyOf(databases);
            problems = List.copyOf(problems);
        }
    }

    private final LitefleetConfig config;
    private final PluginRegistry registry;
    private final ReplicaClients clients;
    private final Optional<String> replicaName;
    private final Optional<Path> stateDir;
    private final TreeMap<Path, BulkDatabase> found = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();

    private FleetInventory(LitefleetConfig config, PluginRegistry registry, ReplicaClients clients,
                           Optional<String> replicaName, Optional<Path> stateDir) {
        this.config = config;
        this.registry = registry;
        this.clients = clients;
        this.replicaName = replicaName;
        this.stateDir = stateDir;
    }

    /**
     * Finds the databases.
     *
     * @param replicaName the destination to use, by name; empty for each database's first
     * @param stateDir    the {@code --state-dir} flag, if given (else the configured or default one)
     */
    static Found find(LitefleetConfig config, PluginRegistry registry, ReplicaClients clients,
                      Optional<String> replicaName, Optional<Path> stateDir) throws IOException {
        FleetInventory inv = new FleetInventory(config, registry, clients, replicaName, stateDir);
        inv.listed();
        if (config.fleet().isPresent()) {
            inv.directories(config.fleet().get());
            if (!config.fleet().get().patterns().isEmpty()) {
                inv.patterns(config.fleet().get());
            }
        }
        return new Found(new ArrayList<>(inv.found.values()), inv.problems);
    }

    private void listed() {
        for (DbConfig db : config.dbs()) {
            Optional<ReplicaConfig> r = replicaName.isEmpty() ? Optional.of(db.replica()) : db.replica(replicaName.get());
            if (r.isEmpty()) {
                problems.add(db.path() + ": no replica named '" + replicaName.get() + "' (its replicas: "
                        + names(db.replicas()) + ")");
                continue;
            }
            found.putIfAbsent(db.path(), new BulkDatabase(db.path(), r.get()));
        }
    }

    private void directories(FleetConfig f) throws IOException {
        if (f.directories().isEmpty()) {
            return;
        }
        try (Discovery names = registry.discovery("glob", f.origin()).create(Settings.of(f.origin(),
                Map.of("patterns", f.directories().stream().map(DirectoryConfig::glob).toList())))) {
            for (DirectoryConfig entry : f.directories()) {
                Optional<ReplicaConfig> base = chosen(entry.replicas());
                if (base.isEmpty()) {
                    problems.add(entry.describe() + ": no replica named '" + replicaName.get() + "' (its replicas: "
                            + names(entry.replicas()) + ")");
                    continue;
                }
                for (String rel : DirectoryRestore.databases(clients.resolve(base.get()), entry, names)) {
                    Path db = entry.dir().resolve(rel);
                    entry.replicasFor(db).stream().filter(r -> r.name().equals(base.get().name())).findFirst()
                            .ifPresent(r -> found.putIfAbsent(db, new BulkDatabase(db, r)));
                }
            }
        }
    }

    private void patterns(FleetConfig f) throws IOException {
        Optional<ReplicaTemplate> chosen = replicaName.isEmpty() ? Optional.of(f.replicaTemplate())
                : f.replicaTemplates().stream().filter(t -> t.base().name().equals(replicaName.get())).findFirst();
        if (chosen.isEmpty()) {
            problems.add("multi-db: no replica-template named '" + replicaName.get() + "' (its destinations: "
                    + f.replicaTemplates().stream().map(t -> t.base().name()).collect(Collectors.joining(", ")) + ")");
            return;
        }
        ReplicaTemplate template = chosen.get();
        try (Discovery discovery = registry.discovery(f.discovery().type(), f.origin())
                .create(f.discovery().settings())) {
            Map<String, DiscoveredDatabase> fromCatalog = fromCatalog(f, template, discovery);
            Map<String, List<String>> variables = discovery.variableNames();
            for (String replicaPath : replicaPaths(template)) {
                DiscoveredDatabase db = fromCatalog.get(replicaPath);
                if (db == null) {
                    List<DiscoveredDatabase> candidates = invert(f, template, discovery, variables, replicaPath);
                    if (candidates.size() != 1) {
                        problems.add(unmapped(template, replicaPath, candidates));
                        continue;
                    }
                    db = candidates.get(0);
                }
                found.putIfAbsent(db.path(), new BulkDatabase(db.path(), template.resolve(db)));
            }
        }
    }

    /** The replica paths below the template's fixed prefix that hold LTX files (one listing). */
    private TreeSet<String> replicaPaths(ReplicaTemplate template) throws IOException {
        String raw = template.base().backend().string("path").orElse("");
        String prefix = template.fixedPrefix();
        String rootPath = (raw.startsWith("/") ? "/" : "") + prefix;
        Map<String, Object> values = new LinkedHashMap<>(template.base().backend().values());
        values.put("path", rootPath);
        ReplicaTarget root = clients.resolve(template.base().withBackend(
                new Settings(template.base().backend().origin(), values, template.base().backend().lines())));
        String listPrefix = root.path().isEmpty() ? "" : root.path() + "/";
        Pattern shape = root.layout() == ReplicaLayout.HEX_LEVEL_DIRS ? DirectoryRestore.HEX_DIRS
                : DirectoryRestore.LTX_DIRS;
        TreeSet<String> paths = new TreeSet<>();
        for (ObjectInfo o : root.client().list(listPrefix)) {
            Matcher m = shape.matcher(o.key());
            if (o.key().startsWith(listPrefix) && m.matches()) {
                paths.add(m.group(1));
            }
        }
        return paths;
    }

    /** Replica path to database, for the databases the catalog knows (empty without a catalog). */
    private Map<String, DiscoveredDatabase> fromCatalog(FleetConfig f, ReplicaTemplate template, Discovery discovery)
            throws IOException {
        Path dir = StateDirs.resolve(stateDir.orElse(null), f.stateDir().or(config::stateDir));
        Map<String, DiscoveredDatabase> byReplica = new HashMap<>();
        if (!Files.isRegularFile(dir.resolve(Catalog.FILE_NAME))) {
            return byReplica;
        }
        try (Catalog catalog = Catalog.open(dir)) {
            for (Catalog.DatabaseRow row : catalog.databases(null, null)) {
                DiscoveredDatabase db = row.tier().equals("excluded") ? null : discovery.match(Path.of(row.path()));
                if (db != null && f.patterns().contains(db.pattern())) {
                    try {
                        byReplica.putIfAbsent(trim(template.resolvePath(db)), db);
                    } catch (io.litefleet.api.ConfigException e) {
                        // a database the template refuses was never replicated by it
                    }
                }
            }
        }
        return byReplica;
    }

    private static List<DiscoveredDatabase> invert(FleetConfig f, ReplicaTemplate template, Discovery discovery,
                                                   Map<String, List<String>> variables, String replicaPath) {
        List<DiscoveredDatabase> out = new ArrayList<>();
        for (String pattern : f.patterns()) {
            List<String> names = variables.getOrDefault(pattern, List.of());
            Optional<Path> path = template.variablesOf(pattern, names, replicaPath)
                    .flatMap(v -> PatternPaths.fill(pattern, names, v));
            DiscoveredDatabase db = path.filter(Path::isAbsolute).map(discovery::match).orElse(null);
            if (db != null && db.pattern().equals(pattern) && !f.isExcluded(db.path())
                    && replicaPath.equals(trim(safePath(template, db)))) {
                out.add(db);
            }
        }
        return out;
    }

    private static String safePath(ReplicaTemplate template, DiscoveredDatabase db) {
        try {
            return template.resolvePath(db);
        } catch (io.litefleet.api.ConfigException e) {
            return "";
        }
    }

    private static String unmapped(ReplicaTemplate template, String replicaPath, List<DiscoveredDatabase> candidates) {
        if (candidates.isEmpty()) {
            return "replica path '" + replicaPath + "' maps back to no database path of the multi-db: patterns (the "
                    + "template leaves out a pattern variable, or the path is not the template's); keep the state "
                    + "directory's catalog, or restore it by path";
        }
        return "replica path '" + replicaPath + "' maps back to several database paths ("
                + candidates.stream().map(d -> d.path().toString()).collect(Collectors.joining(", "))
                + "); restore it by path with -config";
    }

    private Optional<ReplicaConfig> chosen(List<ReplicaConfig> replicas) {
        return replicaName.isEmpty() ? Optional.of(replicas.get(0))
                : replicas.stream().filter(r -> r.name().equals(replicaName.get())).findFirst();
    }

    private static String names(List<ReplicaConfig> replicas) {
        return replicas.stream().map(ReplicaConfig::name).collect(Collectors.joining(", "));
    }

    private static String trim(String p) {
        return p.replaceAll("^/+|/+$", "");
    }
}
