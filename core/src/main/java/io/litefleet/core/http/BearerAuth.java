package io.litefleet.core.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The optional bearer token: when set, a request must carry {@code Authorization: Bearer <token>}. The comparison
 * takes the same time wherever the first wrong byte is ({@link MessageDigest#isEqual}), so timing does not reveal
 * the token. Thread-safe, immutable.
 */
final class BearerAuth {
    private static final String SCHEME = "bearer ";
    private final byte[] token;

    private BearerAuth(byte[] token) {
        this.token = token;
    }

    /** Checks against {@code token}, or lets everything through when empty. */
    static BearerAuth of(Optional<String> token) {
        return new BearerAuth(token.map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null));
    }

    /** Whether a token is required. */
    boolean required() {
        return token != null;
    }

    /** Why {@code authorization} is refused, or empty when it is accepted. */
    Optional<String> refusal(Optional<String> authorization) {
        if (token == null) {
            return Optional.empty();
        }
        if (authorization.isEmpty()) {
            return Optional.of("this endpoint needs 'Authorization: Bearer <token>' (the token of 'addr-token')");
        }
        String h = authorization.get();
        if (h.length() < SCHEME.length() || !h.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.of("the Authorization header must use the Bearer scheme");
        }
        byte[] given = h.substring(SCHEME.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token) ? Optional.empty() : Optional.of("wrong bearer token");
    }
}
