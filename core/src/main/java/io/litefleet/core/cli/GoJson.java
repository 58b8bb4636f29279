package io.litefleet.core.cli;

import java.util.List;
import java.util.Map;

/**
 * JSON as upstream's {@code json.MarshalIndent(v, "", "  ")} prints it, for {@code -json} output: objects with
 * fields in the given order (strings quoted, numbers bare), arrays of them, two-space indent.
 */
final class GoJson {
    private GoJson() {
    }

    /** One object; values are {@link String}, {@link Number} or a {@link List} of field maps. */
    static String object(Map<String, ?> fields) {
        StringBuilder b = new StringBuilder();
        object(b, fields, "");
        return b.toString();
    }

    /** An array of objects ({@code []} when empty). */
    static String array(List<? extends Map<String, ?>> items) {
        StringBuilder b = new StringBuilder();
        array(b, items, "");
        return b.toString();
    }

    private static void object(StringBuilder b, Map<String, ?> fields, String indent) {
        b.append("{\n");
        int i = 0;
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            b.append(indent).append("  ").append(DatabasesCommand.quote(e.getKey())).append(": ");
            value(b, e.getValue(), indent + "  ");
            b.append(++i < fields.size() ? ",\n" : "\n");
        }
        b.append(indent).append('}');
    }

    @SuppressWarnings("unchecked")
    private static void value(StringBuilder b, Object v, String indent) {
        switch (v) {
            case Number n -> b.append(n);
            case List<?> l -> array(b, (List<? extends Map<String, ?>>) l, indent);
            default -> b.append(DatabasesCommand.quote(String.valueOf(v)));
        }
    }

    private static void array(StringBuilder b, List<? extends Map<String, ?>> items, String indent) {
        if (items.isEmpty()) {
            b.append("[]");
            return;
        }
        b.append("[\n");
        for (int i = 0; i < items.size(); i++) {
            b.append(indent).append("  ");
            object(b, items.get(i), indent + "  ");
            b.append(i + 1 < items.size() ? ",\n" : "\n");
        }
        b.append(indent).append(']');
    }
}
