package io.litefleet.cluster.etcd;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of etcd's gateway as plain values: objects are {@link Map}s (insertion order), arrays {@link List}s,
 * strings {@link String}s, numbers {@link Long}s, booleans {@link Boolean}s. The gateway's conventions: int64 fields
 * are strings, bytes are base64, zero values are left out (so an absent field reads as 0, "" or false).
 */
final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private Json() {
    }

    /** Writes {@code value} (maps, lists, strings, numbers, booleans) as JSON. */
    static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen: writing to a string", e);
        }
        return out.toString();
    }

    /** Parses one JSON object. */
    static Map<String, Object> parseObject(String text) throws IOException {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object: " + abbreviate(text));
            }
            return object(p);
        }
    }

    /** {@code map.key} as an object; empty when absent. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Map<String, Object> map, String key) {
        Object v = map.get(key);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** {@code map.key} as a list of objects; empty when absent. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> objects(Map<String, Object> map, String key) {
        Object v = map.get(key);
        return v instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    /** {@code map.key} as an int64 (the gateway writes them as strings); 0 when absent. */
    static long int64(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return 0;
        }
        if (v instanceof Long n) {
            return n;
        }
        try {
            return Long.parseLong(v.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' is not an integer: " + v, e);
        }
    }

    /** {@code map.key} as a string; empty when absent. */
    static String string(Map<String, Object> map, String key) {
        Object v = map.get(key);
        return v == null ? "" : v.toString();
    }

    /** {@code map.key} as a boolean; false when absent. */
    static boolean bool(Map<String, Object> map, String key) {
        return Boolean.TRUE.equals(map.get(key));
    }

    /** The base64 form of {@code text}'s UTF-8 bytes, as etcd's keys and values travel. */
    static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The base64 form of {@code bytes}. */
    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Decodes a base64 field to UTF-8 text; "" when absent. */
    static String unb64(Map<String, Object> map, String key) {
        return new String(Base64.getDecoder().decode(string(map, key)), StandardCharsets.UTF_8);
    }

    /** The first 200 characters of {@code text}, for messages. */
    static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private static Map<String, Object> object(JsonParser p) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            m.put(name, value(p));
        }
        return m;
    }

    private static Object value(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> object(p);
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected JSON token " + p.currentToken());
        };
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(e.getKey().toString());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object o : l) {
                    write(g, o);
                }
                g.writeEndArray();
            }
            case Boolean b -> g.writeBoolean(b);
            case Long n -> g.writeString(Long.toString(n)); // int64 travels as a string
            case Integer n -> g.writeNumber(n);
            default -> g.writeString(value.toString());
        }
    }
}
