package io.litefleet.distribution;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a Grafana dashboard's PromQL uses: every {@code expr} of its panels and the {@code definition} of
 * each query variable (Grafana writes a variable's query there as text; a data source variable's {@code query} is a
 * plugin type, not PromQL), read from the JSON text (no JSON library: only string values under those keys matter). A name is an identifier that is not a function call, a keyword, a label (inside {@code {...}},
 * {@code by (...)}, {@code without (...)}, {@code on (...)}, {@code ignoring (...)}, {@code group_left/right (...)})
 * or a range ({@code [...]}); {@code label_values(metric, label)} contributes its metric only. Stateless.
 */
final class DashboardQueries {
    private static final Pattern QUERY = Pattern.compile("\"(expr|definition)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]*)(?:,[^)]*)?\\)");
    private static final Pattern LABEL_LISTS = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "offset", "bool", "and", "or", "unless", "inf", "nan", "atan2");

    private DashboardQueries() {
    }

    /** Every metric name the dashboard's queries use, sorted. */
    static Set<String> metricNames(String dashboardJson) {
        Set<String> names = new TreeSet<>();
        Matcher m = QUERY.matcher(dashboardJson);
        while (m.find()) {
            names.addAll(metricNamesOf(unescape(m.group(2))));
        }
        return names;
    }

    /** The metric names of one PromQL expression (or one {@code label_values(...)} variable query). */
    static Set<String> metricNamesOf(String promql) {
        String s = LABEL_VALUES.matcher(promql).replaceAll(r -> " " + Matcher.quoteReplacement(r.group(1)) + " ");
        s = s.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ") // string literals (label values)
                .replaceAll("\\{[^}]*}", " ") // label matchers
                .replaceAll("\\[[^]]*]", " "); // ranges and subqueries
        s = LABEL_LISTS.matcher(s).replaceAll(" ");
        s = s.replaceAll("\\$\\{?[a-zA-Z_]\\w*}?", " "); // Grafana variables outside the above
        Set<String> names = new TreeSet<>();
        Matcher id = IDENTIFIER.matcher(s);
        while (id.find()) {
            String name = id.group();
            boolean call = s.substring(id.end()).stripLeading().startsWith("(");
            boolean number = id.start() > 0 && Character.isDigit(s.charAt(id.start() - 1)); // 5m, 1e3
            if (!call && !number && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    private static String unescape(String json) {
        StringBuilder out = new StringBuilder(json.length());
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\' || i + 1 == json.length()) {
                out.append(c);
                continue;
            }
            char e = json.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'u' -> {
                    out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(e); // \" \\ \/
            }
        }
        return out.toString();
    }
}
