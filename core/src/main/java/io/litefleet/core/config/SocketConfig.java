package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Litestream's top-level {@code socket:} section, the control socket that {@code sync}, {@code start},
 * {@code stop}, {@code register}, {@code unregister}, {@code info} and {@code list} talk to. Upstream's keys and
 * defaults: {@code enabled} (false), {@code path} ({@code /var/run/litestream.sock}), {@code permissions}
 * ({@code 0600}; a leading 0 or {@code 0o} is octal, as Go's YAML reads it).
 *
 * @param enabled     whether {@code replicate} listens
 * @param path        the socket file
 * @param permissions its permission bits
 */
public record SocketConfig(boolean enabled, Path path, int permissions) {
    /** Upstream's default socket path, also the control commands' default {@code -socket}. */
    public static final Path DEFAULT_PATH = Path.of("/var/run/litestream.sock");
    /** Upstream's defaults: off, {@code /var/run/litestream.sock}, {@code 0600}. */
    public static final SocketConfig DEFAULTS = new SocketConfig(false, DEFAULT_PATH, 0600);

    /** Validates. */
    public SocketConfig {
        if (permissions < 0 || permissions > 0777) {
            throw new IllegalArgumentException("permissions must be within 0..0777");
        }
    }

    /** Parses the section; an unknown key or bad value is an error naming it. */
    static SocketConfig parse(Optional<Settings> section) {
        if (section.isEmpty()) {
            return DEFAULTS;
        }
        Settings s = section.get();
        s.rejectUnknownKeys(Set.of("enabled", "path", "permissions"));
        boolean enabled = s.bool("enabled", false);
        Path path = s.string("path").filter(p -> !p.isBlank()).map(p -> Path.of(p).toAbsolutePath().normalize())
                .orElse(DEFAULT_PATH);
        int perms = s.string("permissions").map(p -> permissions(s, p)).orElse(0600);
        return new SocketConfig(enabled, path, perms);
    }

    private static int permissions(Settings s, String text) {
        String t = text.trim();
        try {
            int v;
            if (t.startsWith("0o") || t.startsWith("0O")) {
                v = Integer.parseInt(t.substring(2), 8);
            } else if (t.length() > 1 && t.startsWith("0")) {
                v = Integer.parseInt(t.substring(1), 8);
            } else {
                v = Integer.parseInt(t);
            }
            if (v >= 0 && v <= 0777) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(s.origin() + ": key 'permissions'" + s.at("permissions") + " must be file "
                + "permission bits such as 0600 or 0660, got '" + text + "'");
    }
}
