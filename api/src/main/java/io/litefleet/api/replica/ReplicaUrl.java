package io.litefleet.api.replica;

import io.litefleet.api.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * The one way replica URLs are read and written, so every command and every backend agree on which replica a URL
 * names. Stateless; safe from any thread.
 *
 * <p><b>Reading.</b> A URL is RFC 3986 text; its path is percent-decoded as UTF-8 ({@link URI#getPath()}), as
 * upstream decodes {@code u.Path} for its object-store backends. A fragment means nothing to any backend and a query
 * only to those that document parameters, so backends refuse them ({@link #rejectFragment}, {@link #rejectQuery})
 * rather than drop them: a {@code #} or {@code ?} meant as part of a name would otherwise name another replica
 * ({@code file:///r/acct#2} is the directory {@code acct}, with a fragment).
 *
 * <p><b>Writing.</b> {@link #escapePath} percent-encodes every byte of a path except RFC 3986's {@code pchar} and
 * {@code /}, so {@code %}, {@code #}, {@code ?}, space and non-ASCII are always encoded and reading the result
 * gives the path back. It does not go through {@link URI}'s multi-argument constructors, whose {@code toString()}
 * leaves non-ASCII unencoded and which parse the authority. Characters that need no encoding stay as they are,
 * which keeps such URLs readable by upstream's {@code file} backend too: it takes the re-encoded path text as the
 * directory name.
 */
public final class ReplicaUrl {
    /** RFC 3986 {@code pchar} (unreserved, sub-delims, {@code :}, {@code @}) plus {@code /}: left unencoded. */
    private static final BitSet PATH_CHARS = pathChars();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ReplicaUrl() {
    }

    /**
     * Reads a replica URL written by a user.
     *
     * @throws ConfigException naming the URL (password masked) and, when it is not valid RFC 3986 text, the
     *                         offending character, its position and how to write it instead
     */
    public static URI parse(String text) {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException("invalid replica URL '" + redact(text) + "': " + syntaxProblem(e));
        }
        if (url.getScheme() == null) {
            throw new ConfigException("replica URL '" + redact(text) + "' has no scheme (for example "
                    + "file:///backups/db or s3://bucket/db)");
        }
        return url;
    }

    /**
     * Refuses a URL with a fragment, saying how to write a {@code #} that belongs to the path.
     *
     * @throws ConfigException naming the URL and the fragment
     */
    public static void rejectFragment(URI url) {
        if (url.getRawFragment() != null) {
            throw new ConfigException("replica URL '" + redact(url.toString()) + "' has a fragment '#"
                    + url.getRawFragment() + "', which replica URLs do not take; if it is part of the path, write "
                    + "'#' as %23: " + redact(pathOnly(url)));
        }
    }

    /**
     * Refuses a URL with a query, for backends whose URLs take no parameters (as upstream's read none), saying how to
     * write a {@code ?} that belongs to the path.
     *
     * @throws ConfigException naming the URL, its query and the scheme
     */
    public static void rejectQuery(URI url) {
        if (url.getRawQuery() != null) {
            throw new ConfigException("replica URL '" + redact(url.toString()) + "' has a query '?"
                    + url.getRawQuery() + "', but " + url.getScheme() + " URLs take no query parameters; if it is "
                    + "part of the path, write '?' as %3F: " + redact(pathOnly(url)));
        }
    }

    /**
     * A path written for a URL: UTF-8, every byte percent-encoded except RFC 3986's {@code pchar} and {@code /}.
     * {@code new URI("s://h" + escapePath(p)).getPath()} is {@code p} for every absolute {@code p}.
     */
    public static String escapePath(String path) {
        StringBuilder b = new StringBuilder(path.length() + 8);
        for (byte x : path.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (PATH_CHARS.get(c)) {
                b.append((char) c);
            } else {
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return b.toString();
    }

    /**
     * The URL form of a destination written as {@code scheme://authority/path} with a plain path, the way
     * {@link ReplicaClient#describe()} writes it: the same text with the path {@linkplain #escapePath escaped}.
     * Text of any other shape is returned as it is.
     */
    public static String escape(String plain) {
        int sep = plain.indexOf("://");
        if (sep < 1 || !plain.substring(0, sep).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            return plain;
        }
        int path = plain.indexOf('/', sep + 3);
        return path < 0 ? plain : plain.substring(0, path) + escapePath(plain.substring(path));
    }

    /** URL text for messages, with the password of a {@code user:password@} part masked. */
    public static String redact(String url) {
        return url.replaceFirst("^(\\w[\\w+.-]*://[^/@:?#]*):[^/@?#]*@", "$1:***@");
    }

    /** The URL with its query and fragment taken as part of the path: what the user probably meant. */
    private static String pathOnly(URI url) {
        String path = url.getPath() == null ? "" : url.getPath();
        String rest = path + (url.getQuery() == null ? "" : "?" + url.getQuery())
                + (url.getFragment() == null ? "" : "#" + url.getFragment());
        return url.getScheme() + "://" + (url.getRawAuthority() == null ? "" : url.getRawAuthority())
                + escapePath(rest);
    }

    private static String syntaxProblem(URISyntaxException e) {
        String in = e.getInput();
        int i = e.getIndex();
        if (i < 0 || i >= in.length()) {
            return e.getReason();
        }
        int cp = in.codePointAt(i);
        if (cp == '%') {
            return "'%' at index " + i + " does not start an escape such as %20; a '%' that is part of the URL is "
                    + "written %25";
        }
        if (e.getReason().startsWith("Illegal character")) {
            return "character '" + Character.toString(cp) + "' at index " + i + " must be percent-encoded, as "
                    + escapePath(Character.toString(cp));
        }
        return e.getReason() + " at index " + i;
    }

    private static BitSet pathChars() {
        BitSet s = new BitSet(128);
        for (char c = 'a'; c <= 'z'; c++) {
            s.set(c);
            s.set(Character.toUpperCase(c));
        }
        for (char c = '0'; c <= '9'; c++) {
            s.set(c);
        }
        for (char c : "-._~!$&'()*+,;=:@/".toCharArray()) {
            s.set(c);
        }
        return s;
    }
}
