package io.litefleet.tiering.allowlist;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.tier.TieringPolicy;
import io.litefleet.api.tier.TieringPolicyProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The {@code allowlist} tiering policy: databases whose path matches one of the {@code allow} globs are kept hot
 * (promoted at their first change, never demoted for idleness; the hot cap and eviction still apply), every other
 * database gets the decision of the {@code fallback} policy (default {@code default}), which receives the section's
 * other keys. For example:
 *
 * <pre>{@code
 * multi-db:
 *   tiering-policy:
 *     type: allowlist
 *     allow: ["/data/tenants/acme-*.db", "/data/vip/**"]
 * }</pre>
 *
 * <p>Stateless; the policies it creates are pure functions of their sample.
 */
public final class AllowlistTieringPolicyProvider implements TieringPolicyProvider {
    static final String TYPE = "allowlist";
    private static final String ALLOW = "allow";
    private static final String FALLBACK = "fallback";

    private final Function<String, Optional<TieringPolicyProvider>> installed;

    /** Public no-argument constructor for {@link ServiceLoader}: the fallback is looked up among installed providers. */
    public AllowlistTieringPolicyProvider() {
        this(AllowlistTieringPolicyProvider::installed);
    }

    /** With another lookup of fallback providers by type (tests). */
    AllowlistTieringPolicyProvider(Function<String, Optional<TieringPolicyProvider>> installed) {
        this.installed = installed;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public TieringPolicy create(Settings settings) {
        if (!settings.has(ALLOW)) {
            throw new ConfigException(settings.origin() + ": key '" + ALLOW + "' is required for a " + TYPE
                    + " tiering policy: a list of absolute globs of database paths to keep hot");
        }
        PathAllowlist allow = PathAllowlist.of(settings, ALLOW);
        String type = settings.string(FALLBACK).orElse("default").trim();
        if (type.equals(TYPE)) {
            throw new ConfigException(settings.origin() + ": key '" + FALLBACK + "'" + settings.at(FALLBACK)
                    + " must name another tiering policy, got '" + type + "'");
        }
        TieringPolicyProvider provider = installed.apply(type).orElseThrow(() -> new ConfigException(
                settings.origin() + ": key '" + FALLBACK + "'" + settings.at(FALLBACK) + " names no installed "
                        + "tiering policy: '" + type + "'"));
        return new AllowlistPolicy(allow, provider.create(forFallback(settings)));
    }

    /** The section without this policy's own keys, for the fallback policy (which rejects what it does not know). */
    private static Settings forFallback(Settings settings) {
        Map<String, Object> values = new LinkedHashMap<>(settings.values());
        values.remove(ALLOW);
        values.remove(FALLBACK);
        Map<String, Integer> lines = new LinkedHashMap<>(settings.lines());
        lines.keySet().retainAll(values.keySet());
        return new Settings(settings.origin(), values, lines);
    }

    /**
     * The installed provider of {@code type} other than this one: from this module's layer and its parents (core's
     * {@code default} among them), or from this class's loader when the plugin was loaded off the module path.
     */
    private static Optional<TieringPolicyProvider> installed(String type) {
        ModuleLayer layer = AllowlistTieringPolicyProvider.class.getModule().getLayer();
        ServiceLoader<TieringPolicyProvider> loader = layer != null
                ? ServiceLoader.load(layer, TieringPolicyProvider.class)
                : ServiceLoader.load(TieringPolicyProvider.class, AllowlistTieringPolicyProvider.class.getClassLoader());
        List<TieringPolicyProvider> all = loader.stream().map(ServiceLoader.Provider::get)
                .filter(p -> !(p instanceof AllowlistTieringPolicyProvider)).toList();
        Optional<TieringPolicyProvider> found = all.stream().filter(p -> p.type().equals(type)).findFirst();
        if (found.isEmpty()) {
            System.getLogger(AllowlistTieringPolicyProvider.class.getName()).log(System.Logger.Level.DEBUG,
                    () -> "tiering policies visible to " + TYPE + ": "
                            + new TreeSet<>(all.stream().map(TieringPolicyProvider::type).toList()));
        }
        return found;
    }
}
