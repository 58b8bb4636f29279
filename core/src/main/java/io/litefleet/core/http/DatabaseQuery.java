package io.litefleet.core.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parameters of {@code GET /v1/databases}.
 *
 * @param state  only databases in this state ({@link #STATES}), if given
 * @param prefix only paths starting with this, if given
 * @param limit  at most this many databases in the page
 * @param after  only paths sorting after this (decoded from the cursor), if given
 */
public record DatabaseQuery(Optional<String> state, Optional<String> prefix, int limit, Optional<String> after) {
    /**
     * The states a database can be listed by: its catalog tier ({@code foreign}: cluster mode, another instance
     * replicates it), or {@code error} (a current error).
     */
    public static final Set<String> STATES = Set.of("hot", "cold", "deleted", "excluded", "foreign", "error");
    /** The page size when {@code limit} is absent. */
    public static final int DEFAULT_LIMIT = 100;
    /** The largest {@code limit}. */
    public static final int MAX_LIMIT = 1000;
    private static final Set<String> PARAMS = Set.of("state", "prefix", "limit", "cursor");
    private static final String CURSOR_VERSION = "c1";

    /**
     * Reads the parameters.
     *
     * @throws BadRequest naming the parameter and its value when one is unknown or bad
     */
    static DatabaseQuery parse(String rawQuery) {
        Map<String, String> p = UriParts.query(rawQuery);
        for (String k : p.keySet()) {
            if (!PARAMS.contains(k)) {
                throw new BadRequest(400, "unknown query parameter '" + k + "' (known: cursor, limit, prefix, state)");
            }
        }
        Optional<String> state = Optional.ofNullable(p.get("state")).filter(s -> !s.isEmpty());
        if (state.isPresent() && !STATES.contains(state.get())) {
            throw new BadRequest(400, "query parameter 'state' must be one of hot, cold, deleted, excluded, foreign, "
                    + "error; got '" + state.get() + "'");
        }
        Optional<String> prefix = Optional.ofNullable(p.get("prefix")).filter(s -> !s.isEmpty());
        int limit = limit(p.get("limit"));
        Optional<String> after = Optional.ofNullable(p.get("cursor")).filter(s -> !s.isEmpty())
                .map(c -> after(c, state, prefix));
        return new DatabaseQuery(state, prefix, limit, after);
    }

    /** {@code limit} of a page: {@link #DEFAULT_LIMIT} when absent, else 1 to {@link #MAX_LIMIT}. */
    static int limit(String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int v = Integer.parseInt(text);
            if (v >= 1 && v <= MAX_LIMIT) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadRequest(400, "query parameter 'limit' must be a whole number from 1 to " + MAX_LIMIT + "; got '"
                + text + "'");
    }

    /**
     * The cursor that continues after {@code lastPath} with this query's filters. Opaque to clients: base64url of
     * the version, the filters and the last path, so a cursor used with other filters is refused.
     */
    String cursorAfter(String lastPath) {
        String raw = String.join("\n", CURSOR_VERSION, state.orElse(""), prefix.orElse(""), lastPath);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static String after(String cursor, Optional<String> state, Optional<String> prefix) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "query parameter 'cursor' is not a cursor this API returned: '" + cursor + "'");
        }
        String[] parts = raw.split("\n", 4);
        if (parts.length != 4 || !parts[0].equals(CURSOR_VERSION) || parts[3].isEmpty()) {
            throw new BadRequest(400, "query parameter 'cursor' is not a cursor this API returned: '" + cursor + "'");
        }
        if (!parts[1].equals(state.orElse("")) || !parts[2].equals(prefix.orElse(""))) {
            throw new BadRequest(400, "query parameter 'cursor' belongs to another listing (state '" + parts[1]
                    + "', prefix '" + parts[2] + "'): give the same state and prefix as the first page");
        }
        return parts[3];
    }
}
