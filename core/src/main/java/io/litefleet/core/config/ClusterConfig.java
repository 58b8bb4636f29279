package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.CoordinatorProvider;
import io.litefleet.core.cluster.SingleNodeCoordinator;
import io.litefleet.core.plugin.PluginRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The top-level {@code cluster:} section: which coordinator decides who replicates each database when several
 * instances share a fleet. Core reads {@code type} (default {@code none}: no cluster) and {@code instance-id}
 * (default: the host name); every other key belongs to the coordinator plugin, which gets them as its settings. It is
 * independent of {@code dbs:} and {@code multi-db:}.
 *
 * @param coordinator the coordinator type and its own keys
 * @param instanceId  {@code instance-id}, if given; else {@link #instance()} uses the host name
 */
public record ClusterConfig(PluginSection coordinator, Optional<String> instanceId) {
    /** Keys core reads itself; the rest go to the provider. */
    static final Set<String> OWN_KEYS = Set.of("type", "instance-id");
    /** Stored in object metadata and in the coordinator's keys: ASCII that every store keeps as it is. */
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Validates. */
    public ClusterConfig {
        Objects.requireNonNull(coordinator, "coordinator");
        Objects.requireNonNull(instanceId, "instanceId");
    }

    /** No {@code cluster:} section: single-node mode. */
    public static ClusterConfig none(String origin) {
        return new ClusterConfig(new PluginSection(SingleNodeCoordinator.TYPE, new Settings(origin, Map.of())),
                Optional.empty());
    }

    /** Whether another instance may own some of this instance's databases (a type other than {@code none}). */
    public boolean clustered() {
        return !coordinator.type().equals(SingleNodeCoordinator.TYPE);
    }

    /** The {@code cluster:} section of {@code top}; {@link #none} when it is absent. */
    static ClusterConfig parse(Settings top) {
        Optional<Settings> section = top.section("cluster");
        if (section.isEmpty()) {
            return none(top.origin() + ": cluster");
        }
        Settings s = section.get();
        String type = s.string("type").orElse(SingleNodeCoordinator.TYPE).trim().toLowerCase(Locale.ROOT);
        if (type.isEmpty()) {
            throw new ConfigException(s.origin() + ": key 'type'" + s.at("type") + " must not be empty (known: "
                    + SingleNodeCoordinator.TYPE + ", or the type of an installed cluster plugin such as etcd)");
        }
        Optional<String> id = s.string("instance-id").map(String::trim);
        id.ifPresent(v -> checkInstanceId(v, s.origin() + ": key 'instance-id'" + s.at("instance-id")));
        Map<String, Object> values = new LinkedHashMap<>(s.values());
        OWN_KEYS.forEach(values::remove);
        // Lines of type and instance-id stay: the type's line names it in an unknown-type error.
        ClusterConfig c = new ClusterConfig(new PluginSection(type, new Settings(s.origin(), values, s.lines())), id);
        if (!c.clustered()) {
            c.checkKeys(Set.of()); // type none has no keys of its own: no plugin needed to say so
        }
        return c;
    }

    /**
     * The provider of this section's type, with the section's keys checked against the ones it accepts.
     *
     * @throws ConfigException naming the file, the type and the known types when no plugin provides the type, or
     *                         the file, line, key and known keys for a key the provider does not accept
     */
    public CoordinatorProvider provider(PluginRegistry registry) {
        Settings s = coordinator.settings();
        CoordinatorProvider p = registry.coordinator(coordinator.type(), s.origin() + s.at("type"));
        checkKeys(p.keys());
        return p;
    }

    /**
     * Opens the coordinator this section names, which the caller closes (for etcd, closing revokes the lease: every
     * key this instance holds is released in one request). Without a cluster ({@code type: none}, the default) the
     * {@link SingleNodeCoordinator}: no plugin, no thread, no host-name lookup, no request.
     *
     * @throws ConfigException       naming file, line and key for an unknown type or key
     * @throws CoordinationException when the service refuses this instance for good (credentials, TLS)
     */
    public Coordinator open(PluginRegistry registry) throws CoordinationException {
        if (!clustered()) {
            return SingleNodeCoordinator.of(instanceId.orElse("local"));
        }
        CoordinatorProvider provider = provider(registry);
        return provider.open(coordinator.settings(), new CoordinatorProvider.Context(instance(), System::nanoTime,
                Thread.ofPlatform().daemon().name("litefleet-cluster-", 0).factory()));
    }

    /** This instance's id: {@code instance-id}, else the host name. */
    public String instance() {
        return instanceId.orElseGet(() -> {
            String host = hostName();
            checkInstanceId(host, coordinator.settings().origin() + ": the host name (the default 'instance-id')");
            return host;
        });
    }

    private void checkKeys(Set<String> providerKeys) {
        Set<String> known = new TreeSet<>(OWN_KEYS);
        known.addAll(providerKeys);
        coordinator.settings().rejectUnknownKeys(known);
    }

    private static void checkInstanceId(String id, String where) {
        if (!INSTANCE_ID.matcher(id).matches()) {
            throw new ConfigException(where + " must be 1 to 128 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit, got '" + id + "'" + " (set cluster: instance-id: to name this instance)");
        }
    }

    /** The kernel's host name without a DNS lookup where Linux exposes it, else the JDK's. */
    private static String hostName() {
        try {
            Path proc = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(proc)) {
                String name = Files.readString(proc).trim();
                if (!name.isEmpty()) {
                    return name;
                }
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            throw new ConfigException("cluster: cannot determine the host name for the default 'instance-id' ("
                    + e.getMessage() + "): set cluster: instance-id:", e);
        }
    }
}
