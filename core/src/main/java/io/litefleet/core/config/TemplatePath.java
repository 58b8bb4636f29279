package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A replica path template split into literal text and {@code {{name}}} placeholders:
 * {@code literals.get(0) + value(names.get(0)) + literals.get(1) + ... + literals.get(n)}.
 *
 * @param text     the template as written
 * @param literals the text around the placeholders; one more than {@code names}
 * @param names    the placeholder names in template order, repeats included
 */
record TemplatePath(String text, List<String> literals, List<String> names) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_-]*)\\s*}}");

    TemplatePath {
        literals = List.copyOf(literals);
        names = List.copyOf(names);
        if (literals.size() != names.size() + 1) {
            throw new IllegalArgumentException("need one literal more than names");
        }
    }

    /**
     * Parses {@code text}; {@code where} names the key for messages.
     *
     * @throws ConfigException for a malformed placeholder or a template without any
     */
    static TemplatePath parse(String text, String where) {
        Matcher m = PLACEHOLDER.matcher(text);
        List<String> literals = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int end = 0;
        while (m.find()) {
            literals.add(literal(text, text.substring(end, m.start()), where));
            names.add(m.group(1));
            end = m.end();
        }
        literals.add(literal(text, text.substring(end), where));
        if (names.isEmpty()) {
            throw new ConfigException(where + " has no {{placeholder}}: every database would share the replica path '"
                    + text + "'; use the pattern's variables, for example \"{{project}}/{{database}}\"");
        }
        return new TemplatePath(text, literals, names);
    }

    /** The distinct placeholder names, in order of first appearance. */
    List<String> distinctNames() {
        return List.copyOf(new LinkedHashSet<>(names));
    }

    private static String literal(String text, String literal, String where) {
        if (literal.contains("{{") || literal.contains("}}")) {
            throw new ConfigException(where + ": malformed placeholder in '" + text + "': write {{name}}, where "
                    + "name is a letter or _ followed by letters, digits, _ or -");
        }
        return literal;
    }
}
