package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Upstream's {@code addr:}, where the HTTP endpoint listens ({@link HttpConfig}): {@code host:port}, {@code :port} (every interface) or
 * {@code [ipv6]:port}, as Go's {@code net.Listen} takes it.
 *
 * @param host  the host or address to bind, empty for every interface
 * @param port  the TCP port, 0 for any free one
 * @param where the file, line and key, for messages (a host that does not resolve, a port in use)
 */
public record ListenAddress(String host, int port, String where) {
    private static final Pattern FORM = Pattern.compile("(?:\\[([^\\]]*)\\]|([^:\\[\\]]*)):(\\d{1,5})");

    /** Validates. */
    public ListenAddress {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(where, "where");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * Reads {@code text}.
     *
     * @throws ConfigException naming {@code where} and the text when it is not {@code host:port}
     */
    public static ListenAddress of(String text, String where) {
        Matcher m = FORM.matcher(text);
        int port = m.matches() ? Integer.parseInt(m.group(3)) : -1;
        if (port < 0 || port > 65535) {
            throw new ConfigException(where + " must be host:port or :port (for example :9090 or "
                    + "127.0.0.1:9090), got '" + text + "'");
        }
        return new ListenAddress(m.group(1) != null ? m.group(1) : m.group(2), port, where);
    }
}
