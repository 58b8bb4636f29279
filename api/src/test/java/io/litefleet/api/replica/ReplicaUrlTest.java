package io.litefleet.api.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.ConfigException;
import java.net.URI;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplicaUrlTest {
    @Test
    void escapePath_encodesWhatAPathCannotHold() {
        assertEquals("/r/acct%232%20p%25q%3Fx%20%C3%BCn%C3%AF%5B1%5D", ReplicaUrl.escapePath("/r/acct#2 p%q?x ünï[1]"));
    }

    @Test
    void escapePath_leavesPathCharactersAsTheyAre() {
        // RFC 3986 pchar: upstream's file backend reads these unchanged, so such URLs work there too.
        String plain = "/a(1)+b=c@d:e;f,g$h&i!j'k*l~m-n.o_p/Z9";
        assertEquals(plain, ReplicaUrl.escapePath(plain));
    }

    @Test
    void escapePath_readBackByUri_givesThePathBack() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        String alphabet = "#%?/ \t\"<>[]{}|\\^`aZ09-._~!$&'()*+,;=:@ü€\u0001";
        for (int i = 0; i < 2000; i++) {
            StringBuilder name = new StringBuilder("/");
            for (int n = rnd.nextInt(12); n > 0; n--) {
                name.appendCodePoint(rnd.nextInt(8) == 0 ? 0x1F600 : alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String url = "file://" + ReplicaUrl.escapePath(name.toString());
            assertEquals(name.toString(), ReplicaUrl.parse(url).getPath(), "seed " + seed + ": " + url);
        }
    }

    @Test
    void uriConstructor_encodesPercentButNotNonAscii_soEscapePathDoesItsOwn() throws Exception {
        // JDK 17 and 25: the multi-argument constructor does encode '%', '#', '?' and space in a path, but its
        // toString() leaves non-ASCII as it is; only toASCIIString() encodes that. escapePath is ASCII throughout.
        URI jdk = new URI("file", null, "/r/ünï 50%#?", null);
        assertEquals("file:/r/ünï%2050%25%23%3F", jdk.toString());
        assertEquals("/r/%C3%BCn%C3%AF%2050%25%23%3F", ReplicaUrl.escapePath("/r/ünï 50%#?"));
        assertEquals(jdk.getPath(), ReplicaUrl.parse("file://" + ReplicaUrl.escapePath("/r/ünï 50%#?")).getPath());
    }

    @Test
    void escape_plainDestination_escapesOnlyThePath() {
        assertEquals("file:///r/acct%232", ReplicaUrl.escape("file:///r/acct#2"));
        assertEquals("s3://bucket/a%20b/%25", ReplicaUrl.escape("s3://bucket/a b/%"));
        assertEquals("sftp://bob@h:22/x%3Fy", ReplicaUrl.escape("sftp://bob@h:22/x?y"));
        assertEquals("s3://bucket", ReplicaUrl.escape("s3://bucket"));
        assertEquals("faulty(file:///a b)", ReplicaUrl.escape("faulty(file:///a b)"), "not a URL: unchanged");
    }

    @Test
    void parse_unescapedCharacter_namesItAndItsEscape() {
        assertEquals("invalid replica URL 'file:///r/a b': character ' ' at index 11 must be percent-encoded, as "
                + "%20", message(() -> ReplicaUrl.parse("file:///r/a b")));
        assertEquals("invalid replica URL 'file:///r/a[1]': character '[' at index 11 must be percent-encoded, as "
                + "%5B", message(() -> ReplicaUrl.parse("file:///r/a[1]")));
    }

    @Test
    void parse_strayPercent_saysHowToWriteIt() {
        assertEquals("invalid replica URL 'file:///r/p%q': '%' at index 11 does not start an escape such as %20; "
                + "a '%' that is part of the URL is written %25", message(() -> ReplicaUrl.parse("file:///r/p%q")));
    }

    @Test
    void parse_withoutScheme_isRefused() {
        assertEquals("replica URL '/r/db' has no scheme (for example file:///backups/db or s3://bucket/db)",
                message(() -> ReplicaUrl.parse("/r/db")));
    }

    @Test
    void rejectFragment_namesItAndTheUrlMeant() {
        assertEquals("replica URL 'file:///r/acct#2' has a fragment '#2', which replica URLs do not take; if it is "
                + "part of the path, write '#' as %23: file:///r/acct%232",
                message(() -> ReplicaUrl.rejectFragment(URI.create("file:///r/acct#2"))));
        ReplicaUrl.rejectFragment(URI.create("file:///r/acct%232"));
    }

    @Test
    void rejectQuery_namesItAndTheUrlMeant() {
        assertEquals("replica URL 'gs://b/r/q?x' has a query '?x', but gs URLs take no query parameters; if it is "
                + "part of the path, write '?' as %3F: gs://b/r/q%3Fx",
                message(() -> ReplicaUrl.rejectQuery(URI.create("gs://b/r/q?x"))));
        ReplicaUrl.rejectQuery(URI.create("gs://b/r/q%3Fx"));
    }

    @Test
    void messages_maskThePassword() {
        assertEquals("replica URL 'sftp://bob:***@h/db?x=1' has a query '?x=1', but sftp URLs take no query "
                + "parameters; if it is part of the path, write '?' as %3F: sftp://bob:***@h/db%3Fx=1",
                message(() -> ReplicaUrl.rejectQuery(URI.create("sftp://bob:hunter2@h/db?x=1"))));
        assertEquals("s3://b.localhost:9000/x", ReplicaUrl.redact("s3://b.localhost:9000/x"));
        assertEquals("sftp://bob@h/x", ReplicaUrl.redact("sftp://bob@h/x"));
    }

    private static String message(Runnable r) {
        return assertThrows(ConfigException.class, r::run).getMessage();
    }
}
