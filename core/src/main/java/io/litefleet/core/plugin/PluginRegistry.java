package io.litefleet.core.plugin;

import io.litefleet.api.ConfigException;
import io.litefleet.api.cluster.CoordinatorProvider;
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
 * <p>Built by {@link #open}. A plugin directory with a current {@link PluginIndex} is opened only when a lookup
 * asks for a key it provides, or for a key nobody is known to provide (so the error lists every key); a short
 * command that needs only the application's providers ({@code version}, a {@code file://} restore) opens none.
 * Duplicate keys are still found at open: indexed directories claim their keys from the index. Safe from any
 * thread. Closing releases the class loaders of class-path plugins; providers must not be used after that.
 * Opening fails with a {@link ConfigException} naming both classes and their origins when two providers claim
 * the same key, and lookups of unknown keys fail naming the known ones.
 */
public final class PluginRegistry implements AutoCloseable {

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]*");

    /**
     * Who claims a key.
     *
     * @param describe    class and origin, for messages
     * @param indexedDir  the directory whose index claims it, not loaded yet; null once loaded
     */
    private record Owner(String describe, Path indexedDir) {
    }

    private final ModuleLayer layer;
    private final ClassLoader loader;
    private final Map<PluginKind, SortedMap<String, Candidate>> byKey = new EnumMap<>(PluginKind.class);
    private final SortedMap<String, Candidate> byScheme = new TreeMap<>();
    private final Map<PluginKind, SortedMap<String, Owner>> owners = new EnumMap<>(PluginKind.class);
    private final SortedMap<String, Owner> schemeOwners = new TreeMap<>();
    private final SortedMap<Path, PluginIndex> pending = new TreeMap<>();
    private final SortedMap<Path, List<Candidate>> loadedDirs = new TreeMap<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private PluginRegistry(ModuleLayer layer, ClassLoader loader) {
        this.layer = layer;
        this.loader = loader;
        for (PluginKind kind : PluginKind.values()) {
            byKey.put(kind, new TreeMap<>());
            owners.put(kind, new TreeMap<>());
        }
    }

    /**
     * The application's providers plus those of every sub-directory of {@code pluginsRoot}, in name order;
     * directories with a current index are opened when first needed.
     *
     * @param pluginsRoot the {@code plugins} directory, or empty for the application's providers only; a
     *                    directory that does not exist holds no plugins
     * @throws ConfigException for duplicate keys, bad keys or plugins that cannot be loaded, naming them
     */
    public static PluginRegistry open(Optional<Path> pluginsRoot) {
        ClassLoader loader = PluginRegistry.class.getClassLoader();
        Module self = PluginRegistry.class.getModule();
        ModuleLayer layer = self.isNamed() && self.getLayer() != null ? self.getLayer() : ModuleLayer.boot();
        PluginRegistry registry = new PluginRegistry(layer, loader);
        try {
            registry.add(null, PluginSource.application(loader));
            for (Path dir : pluginsRoot.map(PluginRegistry::pluginDirs).orElse(List.of())) {
                Optional<PluginIndex> index = registry.currentIndex(dir);
                if (index.isPresent()) {
                    registry.reserve(dir, index.get());
                } else {
                    registry.add(dir, PluginSource.directory(dir, layer, loader));
                }
            }
            return registry;
        } catch (RuntimeException e) {
            closeAll(registry.resources, e);
            throw e;
        }
    }

    /** Builds a registry from what sources found; the caller closes their resources if this throws. */
    static PluginRegistry of(List<PluginSource.Loaded> loaded) {
        PluginRegistry registry = new PluginRegistry(ModuleLayer.boot(), PluginRegistry.class.getClassLoader());
        loaded.forEach(l -> registry.add(null, l));
        return registry;
    }

    /** {@code dir}'s index when it has one that matches its jars; otherwise empty, with a note saying why. */
    private Optional<PluginIndex> currentIndex(Path dir) {
        Optional<PluginIndex> index;
        try {
            index = PluginIndex.read(dir);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            notes.add(dir + ": index ignored (" + e.getMessage() + "); loaded at start");
            return Optional.empty();
        }
        if (index.isPresent() && !index.get().matches(PluginSource.jars(dir))) {
            notes.add(dir + ": " + PluginIndex.FILE + " does not match the jars (rewrite it with litefleet plugins "
                    + "--write-index); loaded at start");
            return Optional.empty();
        }
        return index;
    }

    /** Claims the keys {@code index} lists for {@code dir}, which stays closed until one is asked for. */
    private void reserve(Path dir, PluginIndex index) {
        for (PluginIndex.Entry e : index.providers()) {
            Owner owner = new Owner(e.className() + " from " + dir + " (" + PluginIndex.FILE + ", not loaded)", dir);
            claim(owners.get(e.kind()), e.type(), owner, e.kind().label() + " type");
            for (String scheme : e.schemes()) {
                claim(schemeOwners, scheme, owner, "replica URL scheme");
            }
        }
        pending.put(dir, index);
    }

    /** Registers what one source found; {@code dir} is its plugin directory, or null for the application. */
    private void add(Path dir, PluginSource.Loaded l) {
        resources.addAll(l.resources());
        notes.addAll(l.notes());
        if (dir != null) {
            loadedDirs.put(dir, l.candidates());
        }
        for (Candidate c : l.candidates()) {
            PluginInfo info = c.info();
            checkKey(info, "type", info.type());
            Owner owner = new Owner(info.describe(), null);
            claim(owners.get(info.kind()), info.type(), owner, info.kind().label() + " type");
            byKey.get(info.kind()).put(info.type(), c);
            if (c.provider() instanceof ReplicaClientProvider p) {
                for (String scheme : p.schemes()) {
                    checkKey(info, "URL scheme", scheme);
                    claim(schemeOwners, scheme, owner, "replica URL scheme");
                    byScheme.put(scheme, c);
                }
            }
        }
    }

    /** Opens an indexed directory: its index's claims give way to what it really provides. */
    private void load(Path dir) {
        if (pending.remove(dir) == null) {
            return;
        }
        owners.values().forEach(m -> m.values().removeIf(o -> dir.equals(o.indexedDir())));
        schemeOwners.values().removeIf(o -> dir.equals(o.indexedDir()));
        add(dir, PluginSource.directory(dir, layer, loader));
    }

    private void loadAll() {
        List.copyOf(pending.keySet()).forEach(this::load);
    }

    /** Opens the directory whose index claims {@code key}, or every indexed one when none does. */
    private void loadFor(Owner owner) {
        if (owner != null && owner.indexedDir() != null) {
            load(owner.indexedDir());
        } else {
            loadAll();
        }
    }

    /**
     * Writes a {@link PluginIndex} into every plugin directory that has jars, after opening all of them, so the
     * next registry opens each only when needed.
     *
     * @return the index files written
     */
    public synchronized List<Path> writeIndexes() {
        loadAll();
        List<Path> written = new ArrayList<>();
        loadedDirs.forEach((dir, candidates) -> {
            List<Path> jars = PluginSource.jars(dir);
            if (!jars.isEmpty()) {
                PluginIndex.of(jars, candidates).write(dir);
                written.add(dir.resolve(PluginIndex.FILE));
            }
        });
        return List.copyOf(written);
    }

    /** Every loaded provider, by kind then type. */
    public synchronized List<PluginInfo> plugins() {
        loadAll();
        List<PluginInfo> all = new ArrayList<>();
        byKey.values().forEach(m -> m.values().forEach(c -> all.add(c.info())));
        all.sort(Comparator.comparing(PluginInfo::kind).thenComparing(PluginInfo::type));
        return List.copyOf(all);
    }

    /** How each plugin directory was loaded (module layer or class loader, and why), for the log and CLI. */
    public synchronized List<String> notes() {
        loadAll();
        return List.copyOf(notes);
    }

    /** The known keys of one kind, sorted. */
    public synchronized List<String> types(PluginKind kind) {
        loadAll();
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
    public synchronized ReplicaClientProvider replicaForScheme(String scheme, String origin) {
        String key = scheme == null ? null : scheme.toLowerCase(Locale.ROOT);
        Candidate c = key == null ? null : byScheme.get(key);
        if (c == null) {
            loadFor(key == null ? null : schemeOwners.get(key));
            c = key == null ? null : byScheme.get(key);
        }
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

    /** The coordinator provider for the {@code cluster:} section's type; fails like {@link #replica}. */
    public CoordinatorProvider coordinator(String type, String origin) {
        return (CoordinatorProvider) require(PluginKind.COORDINATION, type, origin);
    }

    /** Closes the class loaders of class-path plugins. Idempotent. */
    @Override
    public synchronized void close() {
        RuntimeException failure = new IllegalStateException("closing plugin class loaders failed");
        closeAll(resources, failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    private synchronized Object require(PluginKind kind, String type, String origin) {
        Candidate c = type == null ? null : byKey.get(kind).get(type);
        if (c == null) {
            loadFor(type == null ? null : owners.get(kind).get(type));
            c = type == null ? null : byKey.get(kind).get(type);
        }
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

    private static void claim(SortedMap<String, Owner> map, String key, Owner owner, String what) {
        Owner previous = map.putIfAbsent(key, owner);
        if (previous != null) {
            throw new ConfigException("duplicate " + what + " '" + key + "': provided by "
                    + previous.describe() + " and by " + owner.describe() + "; remove one of them");
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
