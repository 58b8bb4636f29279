package io.litefleet.core.http;

import io.litefleet.core.control.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP answer: status, content type, body and extra headers.
 *
 * @param status      the status code
 * @param contentType the {@code Content-Type}
 * @param body        the body (not copied: answers are built once and sent once)
 * @param headers     extra headers
 */
public record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json; charset=utf-8";

    /** Validates. */
    public Answer {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    /** {@code value} as JSON. */
    static Answer json(int status, Object value) {
        return new Answer(status, JSON, (Json.write(value) + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** The error shape every 4xx and 5xx of the API has: {@code {"error": message, "status": code}}. */
    static Answer error(int status, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("status", status);
        return json(status, m);
    }

    /** This answer with one more header. */
    Answer with(String header, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(header, value);
        return new Answer(status, contentType, body, h);
    }

    /** The body as text (tests). */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
