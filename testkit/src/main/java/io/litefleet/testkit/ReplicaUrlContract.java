package io.litefleet.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaUrl;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The URL rules every backend's {@link ReplicaClientProvider#parseUrl} follows: the path is percent-decoded, a
 * fragment is refused, and so is a query parameter upstream does not read for the backend; the errors name the URL
 * and the offending part. A backend's provider test extends this and says how its URLs begin.
 */
public abstract class ReplicaUrlContract {
    /** Names that need escaping in a URL path, and one whose characters need none. */
    public static final List<String> AWKWARD_NAMES = List.of("acct#2", "p%q", "q?x", "a b", "ünï cødé", "50%25",
            "a(1)+b=c@d");

    /** The provider under test. */
    protected abstract ReplicaClientProvider provider();

    /** A URL of this backend up to its path, without a trailing {@code /}: {@code s3://bucket}, {@code file://}. */
    protected abstract String base();

    @Test
    void parseUrl_escapedNames_areDecodedIntoThePath() {
        for (String name : AWKWARD_NAMES) {
            String url = base() + "/dir/" + ReplicaUrl.escapePath(name);
            assertEquals("dir/" + name, provider().parseUrl(ReplicaUrl.parse(url)).path(), url);
        }
    }

    @Test
    void parseUrl_fragment_isRefusedNamingTheUrlAndTheFragment() {
        String url = base() + "/dir/acct#2";
        ConfigException e = assertThrows(ConfigException.class, () -> provider().parseUrl(URI.create(url)));
        assertTrue(e.getMessage().contains("'" + url + "'") && e.getMessage().contains("'#2'"), e.getMessage());
        assertTrue(e.getMessage().contains(base() + "/dir/acct%232"), "says how to write '#': " + e.getMessage());
    }

    @Test
    void parseUrl_unknownQueryParameter_isRefusedNamingTheUrlAndTheParameter() {
        String url = base() + "/dir/db?colour=blue";
        ConfigException e = assertThrows(ConfigException.class, () -> provider().parseUrl(URI.create(url)));
        assertTrue(e.getMessage().contains("'" + url + "'") && e.getMessage().contains("colour"), e.getMessage());
    }
}
