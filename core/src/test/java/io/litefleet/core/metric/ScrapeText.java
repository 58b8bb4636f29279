package io.litefleet.core.metric;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Reads Prometheus' text format as a scraper does, for tests: each sample's series (name and labels, the labels in
 * name order, so {@code a{y="1",x="2"}} and {@code a{x="2",y="1"}} are one series) and value, and each family's type.
 */
public final class ScrapeText {
    private final Map<String, Double> samples = new LinkedHashMap<>();
    private final Map<String, String> types = new TreeMap<>();

    private ScrapeText(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                types.put(p[0], p[1]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.lastIndexOf(' ');
                samples.put(canonical(line.substring(0, end)), Double.valueOf(line.substring(end + 1)));
            }
        }
    }

    /** The samples and types of {@code text}. */
    public static ScrapeText of(String text) {
        return new ScrapeText(text);
    }

    /** The value of {@code series} (labels in any order), if it was written. */
    public OptionalDouble value(String series) {
        Double v = samples.get(canonical(series));
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** The value of {@code series} in {@code text}, if present. */
    public static OptionalDouble value(String text, String series) {
        return of(text).value(series);
    }

    /** Every series written, labels in name order. */
    public List<String> series() {
        return List.copyOf(samples.keySet());
    }

    /** Family name to its {@code # TYPE}. */
    public Map<String, String> types() {
        return Collections.unmodifiableMap(types);
    }

    /** {@code series} with its labels sorted by name. */
    static String canonical(String series) {
        int open = series.indexOf('{');
        if (open < 0) {
            return series;
        }
        String body = series.substring(open + 1, series.lastIndexOf('}'));
        List<String> labels = new ArrayList<>();
        int i = 0;
        while (i < body.length()) {
            int eq = body.indexOf('=', i);
            int j = eq + 2; // past ="
            StringBuilder v = new StringBuilder();
            while (body.charAt(j) != '"') {
                if (body.charAt(j) == '\\') {
                    v.append(body.charAt(j++));
                }
                v.append(body.charAt(j++));
            }
            labels.add(body.substring(i, eq).trim() + "=\"" + v + "\"");
            i = j + 1;
            while (i < body.length() && (body.charAt(i) == ',' || body.charAt(i) == ' ')) {
                i++;
            }
        }
        Collections.sort(labels);
        return series.substring(0, open) + "{" + String.join(",", labels) + "}";
    }
}
