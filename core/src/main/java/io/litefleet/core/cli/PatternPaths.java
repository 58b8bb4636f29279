package io.litefleet.core.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the path a glob pattern gives for known variable values: each capture ({@code *}, {@code ?}, {@code [...]},
 * {@code {name}}) replaced by its variable's value, {@code \c} by {@code c}. The syntax is the glob discovery
 * plugin's; a path built here is only trusted after the discovery matches it back to the same variables
 * ({@link FleetInventory} checks that), so another plugin's syntax at worst finds nothing. Stateless.
 */
final class PatternPaths {
    private PatternPaths() {
    }

    /**
     * The path, or empty when the pattern has a {@code **} (whose directories no variable records) or a capture
     * without a value.
     *
     * @param pattern       the pattern as configured
     * @param variableNames its captures' variable names, in pattern order
     * @param values        value per variable name
     */
    static Optional<Path> fill(String pattern, List<String> variableNames, Map<String, String> values) {
        StringBuilder out = new StringBuilder(pattern.length() + 32);
        int capture = 0;
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                return Optional.empty();
            }
            int end = switch (c) {
                case '\\' -> i + 2;
                case '*', '?' -> i + 1;
                case '[' -> pattern.indexOf(']', i + 2) + 1;
                case '{' -> pattern.indexOf('}', i + 1) + 1;
                default -> -1;
            };
            if (end < 0) {
                out.append(c);
                i++;
                continue;
            }
            if (c == '\\') {
                out.append(pattern.charAt(Math.min(i + 1, pattern.length() - 1)));
                i = end;
                continue;
            }
            if (end <= i || capture >= variableNames.size()) {
                return Optional.empty();
            }
            String v = values.get(variableNames.get(capture++));
            if (v == null) {
                return Optional.empty();
            }
            out.append(v);
            i = end;
        }
        return capture == variableNames.size() ? Optional.of(Path.of(out.toString())) : Optional.empty();
    }
}
