package io.litefleet.discovery.glob;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.discovery.DiscoveryProvider;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Discovery by glob patterns with named captures, type {@code glob}. Settings: {@code patterns}, a list of absolute
 * patterns (required; a single string counts as a list of one). Other keys in the section are ignored, so the
 * section may be shared with the engine's own keys. Pattern syntax and variable names: see the package description.
 * Stateless and thread-safe.
 */
public final class GlobDiscoveryProvider implements DiscoveryProvider {
    /** The settings key holding the patterns. */
    static final String PATTERNS = "patterns";

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public GlobDiscoveryProvider() {
    }

    @Override
    public String type() {
        return "glob";
    }

    /**
     * Parses the patterns and returns a discovery over them; the caller closes it.
     *
     * @throws ConfigException naming the origin, the key and the bad pattern with what is wrong with it, when
     *                         {@code patterns} is missing or empty, a pattern is invalid, or a pattern is listed twice
     */
    @Override
    public Discovery create(Settings settings) {
        return GlobDiscovery.of(parse(settings));
    }

    static List<GlobPattern> parse(Settings settings) {
        List<String> texts = settings.strings(PATTERNS);
        String where = settings.origin() + ": key '" + PATTERNS + "'" + settings.at(PATTERNS);
        if (texts.isEmpty()) {
            throw new ConfigException(settings.has(PATTERNS) ? where + " must list at least one pattern"
                    : settings.origin() + ": missing required key '" + PATTERNS
                    + "' (a list of absolute glob patterns such as /data/*/tenants/*.db)");
        }
        List<GlobPattern> patterns = new ArrayList<>(texts.size());
        Set<String> seen = new HashSet<>();
        for (String text : texts) {
            if (!seen.add(text)) {
                throw new ConfigException(where + ": pattern '" + text + "' is listed twice");
            }
            try {
                patterns.add(GlobPattern.parse(text));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + ": invalid pattern '" + text + "': " + e.getMessage(), e);
            }
        }
        return patterns;
    }
}
