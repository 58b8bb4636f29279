package io.litefleet.core.http;

import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request as the {@link Router} sees it: nothing decoded yet.
 *
 * @param method        the method, upper case
 * @param rawPath       the path as sent, percent-encoding intact ({@code %2F} must stay one segment)
 * @param rawQuery      the query as sent, empty when none
 * @param authorization the {@code Authorization} header, if sent
 */
public record Request(String method, String rawPath, String rawQuery, Optional<String> authorization) {
    /** Validates. */
    public Request {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rawPath, "rawPath");
        rawQuery = rawQuery == null ? "" : rawQuery;
        Objects.requireNonNull(authorization, "authorization");
    }

    /** A request without credentials (tests). */
    public static Request of(String method, String target) {
        int q = target.indexOf('?');
        return new Request(method, q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1),
                Optional.empty());
    }

    /** This request with {@code Authorization: value}. */
    public Request withAuthorization(String value) {
        return new Request(method, rawPath, rawQuery, Optional.of(value));
    }
}
