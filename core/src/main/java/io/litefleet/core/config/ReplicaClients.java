package io.litefleet.core.config;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaClientProvider.UrlTarget;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.CountingClient;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RequestCounters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns replica configurations into {@link ReplicaTarget}s, creating one client per distinct destination and
 * sharing it between every database that replicates there. Each client counts its requests ({@link CountingClient})
 * into the {@link RequestCounters} of its destination's name, kept after {@link #close()} so a summary can be given
 * at stop; destinations that share a name (one bucket through two endpoints) share counters. Owns the clients:
 * {@link #close()} closes them all. Thread-safe.
 */
public final class ReplicaClients implements AutoCloseable {
    private final PluginRegistry registry;
    private final Map<String, ReplicaClient> clients = new LinkedHashMap<>();
    /** By destination name, in the order the destinations were first resolved. */
    private final Map<String, RequestCounters> counters = new LinkedHashMap<>();

    /** Resolves through {@code registry}, which the caller keeps open while this is used. */
    public ReplicaClients(PluginRegistry registry) {
        this.registry = registry;
    }

    /** The target for one configured replica. */
    public synchronized ReplicaTarget resolve(ReplicaConfig config) throws ReplicaException {
        ReplicaClientProvider provider = provider(config);
        Settings backend = ReplicaKeys.settings(config, provider);
        UrlTarget t;
        if (config.url().isPresent()) {
            UrlTarget fromUrl = provider.parseUrl(config.url().get());
            Map<String, Object> dest = new LinkedHashMap<>(fromUrl.destination());
            backend.values().forEach(dest::putIfAbsent);
            t = new UrlTarget(dest, fromUrl.path());
        } else {
            t = provider.target(backend);
        }
        Settings destination = new Settings(backend.origin(), t.destination(), backend.lines());
        String key = provider.type() + " " + new TreeMap<>(t.destination());
        ReplicaClient client = clients.get(key);
        if (client == null) {
            ReplicaClient created = provider.create(destination);
            RequestCounters c = counters.computeIfAbsent(created.describe(),
                    d -> new RequestCounters(d, provider.type()));
            client = CountingClient.owning(created, c);
            clients.put(key, client);
        }
        return new ReplicaTarget(client, provider.layout(), t.path());
    }

    /**
     * Checks {@code config}'s keys against its backend's ({@link ReplicaKeys#settings}) without opening a client: for
     * replica templates, which resolve only when a database is found.
     *
     * @throws io.litefleet.api.ConfigException naming the file, line and key, and the accepted keys
     */
    public void check(ReplicaConfig config) {
        ReplicaKeys.settings(config, provider(config));
    }

    /**
     * The top-level replica defaults of {@code configs} that none of their backends takes (a {@code bucket:} at the
     * top of a file whose replicas are all {@code file} replicas), each with its line, for a warning: upstream
     * accepts them as silently as it ignores them.
     */
    public List<String> unusedDefaults(List<ReplicaConfig> configs) {
        if (configs.isEmpty()) {
            return List.of();
        }
        Settings defaults = configs.get(0).defaults();
        java.util.Set<String> taken = new java.util.HashSet<>();
        java.util.Set<String> types = new java.util.TreeSet<>();
        for (ReplicaConfig c : configs) {
            ReplicaClientProvider p = provider(c);
            taken.addAll(p.keys());
            types.add(p.type());
        }
        return defaults.keys().stream().filter(k -> !taken.contains(k)).map(k -> defaults.origin() + ": key '" + k
                + "'" + defaults.at(k) + " applies to no replica: no replica's backend (" + String.join(", ", types)
                + ") takes it").toList();
    }

    private ReplicaClientProvider provider(ReplicaConfig config) {
        String origin = config.backend().origin();
        return config.url().isPresent() ? registry.replicaForScheme(config.url().get().getScheme(), origin)
                : registry.replica(config.type(), origin);
    }

    /** The request counters of every destination resolved so far, live, in the order they were first resolved. */
    public synchronized List<RequestCounters> requests() {
        return List.copyOf(counters.values());
    }

    /** Closes every client (their counters stay readable). Idempotent. */
    @Override
    public synchronized void close() {
        RuntimeException failure = null;
        for (ReplicaClient c : clients.values()) {
            try {
                c.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        clients.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
