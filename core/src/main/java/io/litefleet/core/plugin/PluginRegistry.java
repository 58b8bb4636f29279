package io.litefleet.core.plugin;

import io.litefleet.api.ConfigException;
import io.litefleet.api.discovery.DiscoveryProvider;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.tier.TieringPolicyProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Every provider Litefleet can use, from the application itself and from drop-in plugin directories, with each
 * key ({@code type()}, and for replicas each URL scheme) owned by exactly one provider.
 *
 * <p>Built once at start-up by {@link #open}; afterwards immutable and safe from any thread. Closing releases the
 * class loaders of class-path plugins; providers must not be used after that. Construction fails with a
 * {@link ConfigException} naming both classes and their origins when two providers claim the same key, and
 * lookups of unknown keys fail naming the known ones.
 */
public final class PluginRegistry implements AutoCloseable {

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]*");

    private final Map<PluginKind, SortedMap<String, Candidate>> byKey;
    private final SortedMap<String, Candidate> byScheme;
    private final List<AutoCloseable> resources;
    private final List<String> notes;

    private PluginRegistry(Map<PluginKind, SortedMap<String, Candidate>> byKey, SortedMap<String, Candidate> byScheme,
                           List<AutoCloseable> resources, List<String> notes) {
        this.byKey = byKey;
        this.byScheme = byScheme;
        this.resources = resources;
        this.notes = notes;
    }

    /**
     * Loads the application's providers plus those of every sub-directory of {@code pluginsRoot}, in name order.
     *
     * @param pluginsRoot the {@code plugins} directory, or empty for the application's providers only; a
     *                    directory that does not exist holds no plugins
     * @throws ConfigException for duplicate keys, bad keys or plugins that cannot be loaded, naming them
     */
    public static PluginRegistry open(Optional<Path> pluginsRoot) {
        ClassLoader loader = PluginRegistry.class.getClassLoader();
        Module self = PluginRegistry.class.getModule();
        ModuleLayer layer = self.isNamed() && self.getLayer() != null ? self.getLayer() : ModuleLayer.boot();
        List<PluginSource.Loaded> loaded = new ArrayList<>();
        loaded.add(PluginSource.application(loader));
        try {
            for (Path dir : pluginsRoot.map(PluginRegistry::pluginDirs).orElse(List.of())) {
                loaded.add(PluginSource.directory(dir, layer, loader));
            }
            return of(loaded);
        } catch (RuntimeException e) {
            loaded.forEach(l -> closeAll(l.resources(), e));
            throw e;
        }
    }

    /** Builds a registry from what sources found; the caller closes their resources if this throws. */
    static PluginRegistry of(List<PluginSource.Loaded> loaded) {
        Map<PluginKind, SortedMap<String, Candidate>> byKey = new EnumMap<>(PluginKind.class);
        for (PluginKind kind : PluginKind.values()) {
            byKey.put(kind, new TreeMap<>());
        }
        SortedMap<String, Candidate> byScheme = new TreeMap<>();
        List<AutoCloseable> resources = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (PluginSource.Loaded l : loaded) {
            resources.addAll(l.resources());
            notes.addAll(l.notes());
            for (Candidate c : l.candidates()) {
                PluginInfo info = c.info();
                checkKey(info, "type", info.type());
                claim(byKey.get(info.kind()), info.type(), c, info.kind().label() + " type");
                if (c.provider() instanceof ReplicaClientProvider p) {
                    for (String scheme : p.schemes()) {
                        checkKey(info, "URL scheme", scheme);
                        claim(byScheme, scheme, c, "replica URL scheme");
                    }
                }
            }
        }
        byKey.replaceAll((k, m) -> java.util.Collections.unmodifiableSortedMap(m));
        return new PluginRegistry(byKey, java.util.Collections.unmodifiableSortedMap(byScheme),
                List.copyOf(resources), List.copyOf(notes));
    }

    /** Every loaded provider, by kind then type. */
    public List<PluginInfo> plugins() {
        List<PluginInfo> all = new ArrayList<>();
        byKey.values().forEach(m -> m.values().forEach(c -> all.add(c.info())));
        all.sort(Comparator.comparing(PluginInfo::kind).thenComparing(PluginInfo::type));
        return List.copyOf(all);
    }

    /** How each plugin directory was loaded (module layer or class loader, and why), for the log and CLI. */
    public List<String> notes() {
        return notes;
    }

    /** The known keys of one kind, sorted. */
    public List<String> types(PluginKind kind) {
        return List.copyOf(byKey.get(kind).keySet());
    }

    /**
     * The replica provider for a {@code type:} value.
     *
     * @param origin where the type was configured, for the message (for example {@code litefleet.yml: dbs[0]})
     * @throws ConfigException {@code unknown replica type 'foo' in <origin> (known: file, s3)}
     */
    public ReplicaClientProvider replica(String type, String origin) {
        return (ReplicaClientProvider) require(PluginKind.REPLICA, type, origin);
    }

    /**
     * The replica provider for a URL scheme.
     *
     * @throws ConfigException {@code unknown replica URL scheme 'foo' in <origin> (known: file, s3)}
     */
    public ReplicaClientProvider replicaForScheme(String scheme, String origin) {
        Candidate c = byScheme.get(scheme == null ? null : scheme.toLowerCase(Locale.ROOT));
        if (c == null) {
            throw unknown("replica URL scheme", scheme, origin, byScheme.keySet());
        }
        return (ReplicaClientProvider) c.provider();
    }

    /** The discovery provider for a type; fails like {@link #replica}. */
    public DiscoveryProvider discovery(String type, String origin) {
        return (DiscoveryProvider) require(PluginKind.DISCOVERY, type, origin);
    }

    /** The tiering policy provider for a type; fails like {@link #replica}. */
    public TieringPolicyProvider tieringPolicy(String type, String origin) {
        return (TieringPolicyProvider) require(PluginKind.TIERING, type, origin);
    }

    /** Closes the class loaders of class-path plugins. Idempotent. */
    @Override
    public void close() {
        RuntimeException failure = new IllegalStateException("closing plugin class loaders failed");
        closeAll(resources, failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    private Object require(PluginKind kind, String type, String origin) {
        Candidate c = type == null ? null : byKey.get(kind).get(type);
        if (c == null) {
            throw unknown(kind.label() + " type", type, origin, byKey.get(kind).keySet());
        }
        return c.provider();
    }

    /** Upstream's backends that no plugin here provides, and what to do instead. */
    private static final java.util.Map<String, String> UPSTREAM_ONLY = java.util.Map.of(
            "oss", "Litefleet has no Alibaba Cloud OSS backend; OSS speaks the S3 API: use type s3 with "
                    + "endpoint: https://oss-<region>.aliyuncs.com",
            "webdav", "Litefleet has no WebDAV backend; use sftp, s3, gs, abs or file",
            "nats", "Litefleet has no NATS object-store backend; use s3, gs, abs, sftp or file");

    private static ConfigException unknown(String what, String value, String origin, java.util.Set<String> known) {
        String hint = value == null || !what.startsWith("replica") ? null
                : UPSTREAM_ONLY.get(value.toLowerCase(Locale.ROOT));
        return new ConfigException("unknown " + what + " '" + value + "' in " + origin + " (known: "
                + (known.isEmpty() ? "none" : String.join(", ", known)) + ")" + (hint == null ? "" : ": " + hint));
    }

    private static void claim(SortedMap<String, Candidate> map, String key, Candidate c, String what) {
        Candidate previous = map.putIfAbsent(key, c);
        if (previous != null) {
            throw new ConfigException("duplicate " + what + " '" + key + "': provided by "
                    + previous.info().describe() + " and by " + c.info().describe()
                    + "; remove one of them");
        }
    }

    private static void checkKey(PluginInfo info, String what, String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new ConfigException(info.kind().label() + " provider " + info.describe() + " reports " + what
                    + " '" + key + "'; it must be lower case letters, digits and '-', starting with a letter");
        }
    }

    private static List<Path> pluginDirs(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, Files::isDirectory)) {
            ds.forEach(dirs::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plugin directory " + root + ": " + e.getMessage(), e);
        }
        dirs.sort(null);
        return dirs;
    }

    private static void closeAll(List<AutoCloseable> resources, Throwable collector) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                collector.addSuppressed(e);
            }
        }
    }
}
