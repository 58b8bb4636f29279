package io.litefleet.core.http;

import java.util.Optional;
import java.util.Set;

/**
 * Who may reach what when the endpoint listens beyond loopback without a bearer token. Upstream Litestream serves
 * {@code /metrics} to every interface with {@code addr: ":9090"}, and such configs must keep working; the status API
 * (database paths, the promotion hint) is served to other machines only with a token. Without one, a request from
 * another machine gets {@code /metrics}, {@code /healthz}, {@code /readyz} and the page, and 403 naming the key for the
 * rest; a request from this machine gets everything.
 *
 * @param open whether the endpoint listens beyond loopback with no token set
 */
record RemoteAccess(boolean open) {
    private static final Set<String> PUBLIC = Set.of("/", "/index.html", "/metrics", "/healthz", "/readyz");

    /** The refusal for a request to {@code rawPath} from a loopback ({@code local}) or other address, if refused. */
    Optional<Answer> refusal(String rawPath, boolean local) {
        if (!open || local || PUBLIC.contains(rawPath)) {
            return Optional.empty();
        }
        return Optional.of(Answer.error(403, rawPath + " is served to other machines only with a bearer token: set "
                + "the top-level key 'addr-token' (or 'addr-token-file'), or call it from this machine"));
    }
}
