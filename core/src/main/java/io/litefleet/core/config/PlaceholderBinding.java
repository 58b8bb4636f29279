package io.litefleet.core.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which variable of one pattern each placeholder reads, by the template rule: (1) a named capture and (2) the
 * singular of the directory before a wildcard, both of which the discovery already uses as the variable's key;
 * else (3) the next wildcard not bound by (1) or (2) ({@code #1}, {@code #2}, ...), consumed in template order.
 *
 * @param bound      placeholder to variable key, for the placeholders that resolve, in template order
 * @param unresolved the placeholders that do not resolve, in template order
 * @param unused     the pattern's variables no placeholder reads, in pattern order where given
 */
record PlaceholderBinding(Map<String, String> bound, List<String> unresolved, List<String> unused) {
    PlaceholderBinding {
        bound = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bound));
        unresolved = List.copyOf(unresolved);
        unused = List.copyOf(unused);
    }

    /**
     * Binds {@code placeholders} (distinct, in template order) to the pattern's {@code variableNames} (keys in the
     * convention of {@link io.litefleet.api.discovery.DiscoveredDatabase#variables()}).
     */
    static PlaceholderBinding of(List<String> placeholders, Collection<String> variableNames) {
        Set<String> names = Set.copyOf(variableNames);
        TreeSet<String> positional = new TreeSet<>(Comparator.comparingInt(PlaceholderBinding::position));
        for (String v : variableNames) {
            if (position(v) > 0) {
                positional.add(v);
            }
        }
        Map<String, String> bound = new LinkedHashMap<>();
        List<String> unresolved = new ArrayList<>();
        for (String p : placeholders) {
            if (names.contains(p)) {
                bound.put(p, p);
            } else if (!positional.isEmpty()) {
                bound.put(p, positional.pollFirst());
            } else {
                unresolved.add(p);
            }
        }
        List<String> unused = new ArrayList<>(variableNames);
        unused.removeAll(bound.values());
        return new PlaceholderBinding(bound, unresolved, unused);
    }

    /** {@code k} for a positional key {@code #k}, else 0. */
    private static int position(String key) {
        if (key.length() < 2 || key.charAt(0) != '#') {
            return 0;
        }
        try {
            return Integer.parseInt(key.substring(1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
