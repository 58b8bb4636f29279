package io.litefleet.replica.sftp;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One SFTP destination's settings, parsed once from its config section. Upstream's keys ({@code sftp/replica_client.go}
 * and {@code cmd/litestream/main.go} at v0.5.16) keep their names: {@code host} ({@code host[:port]}), {@code user},
 * {@code password}, {@code key-path}, {@code host-key} (an {@code authorized_keys}-style line) and
 * {@code concurrent-writes}. Ours: {@code key-passphrase}, {@code known-hosts-path} (default
 * {@code ~/.ssh/known_hosts}), {@code insecure-ignore-host-key} (the explicit opt-out of host key checking),
 * {@code channels} (SFTP channels per connection) and {@code root} (an absolute directory that keys are relative to;
 * absent: the login directory, as upstream).
 *
 * <p>{@link #toString()} never shows the password or the passphrase.
 *
 * @param host                  host name or address, without brackets
 * @param port                  TCP port
 * @param user                  login name
 * @param password              password, if any
 * @param keyPath               private key file, if any
 * @param keyPassphrase         the key file's passphrase, if any
 * @param hostKey               the one host key to accept ({@code type base64 [comment]}), if any
 * @param knownHosts            the known_hosts file consulted when {@code hostKey} does not match
 * @param knownHostsExplicit    whether {@code knownHosts} was configured (then it must exist)
 * @param insecureIgnoreHostKey accept any host key (logged as a warning)
 * @param concurrentWrites      keep several write requests of one upload in flight
 * @param channels              SFTP channels opened on the connection, used round robin
 * @param root                  absolute directory keys are relative to, or empty for the login directory
 */
record SftpSettings(String host, int port, String user, Optional<String> password, Optional<Path> keyPath,
                    Optional<String> keyPassphrase, Optional<String> hostKey, Path knownHosts,
                    boolean knownHostsExplicit, boolean insecureIgnoreHostKey, boolean concurrentWrites, int channels,
                    String root) {

    static final String HOST = "host";
    static final String USER = "user";
    static final String PASSWORD = "password";
    static final String KEY_PATH = "key-path";
    static final String KEY_PASSPHRASE = "key-passphrase";
    static final String HOST_KEY = "host-key";
    static final String KNOWN_HOSTS_PATH = "known-hosts-path";
    static final String INSECURE_IGNORE_HOST_KEY = "insecure-ignore-host-key";
    static final String CONCURRENT_WRITES = "concurrent-writes";
    static final String CHANNELS = "channels";
    static final String ROOT = "root";

    static final Set<String> KEYS = Set.of(HOST, USER, PASSWORD, KEY_PATH, KEY_PASSPHRASE, HOST_KEY, KNOWN_HOSTS_PATH,
            INSECURE_IGNORE_HOST_KEY, CONCURRENT_WRITES, CHANNELS, ROOT);

    static final int DEFAULT_PORT = 22;
    static final int DEFAULT_CHANNELS = 4;

    /** Validates the fields. */
    SftpSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(root, "root");
        if (port < 1 || port > 65535 || channels < 1) {
            throw new IllegalArgumentException("bad port " + port + " or channel count " + channels);
        }
    }

    /**
     * Parses a destination section.
     *
     * @throws ConfigException naming the section, the key and the value (never a password's or passphrase's value)
     */
    static SftpSettings parse(Settings s) {
        s.rejectUnknownKeys(KEYS);
        String hostPort = s.requireString(HOST).trim();
        String user = s.requireString(USER);
        Optional<String> password = s.string(PASSWORD).filter(p -> !p.isEmpty());
        Optional<Path> keyPath = s.string(KEY_PATH).filter(p -> !p.isBlank()).map(p -> path(s, KEY_PATH, p));
        if (password.isEmpty() && keyPath.isEmpty()) {
            throw new ConfigException(s.origin() + ": an sftp replica needs '" + KEY_PATH + "' (a private key file) "
                    + "or '" + PASSWORD + "' to log in as '" + user + "'");
        }
        Optional<String> passphrase = s.string(KEY_PASSPHRASE).filter(p -> !p.isEmpty());
        if (passphrase.isPresent() && keyPath.isEmpty()) {
            throw new ConfigException(s.origin() + ": key '" + KEY_PASSPHRASE + "'" + s.at(KEY_PASSPHRASE)
                    + " is set but '" + KEY_PATH + "' is not");
        }
        boolean explicitKnownHosts = s.string(KNOWN_HOSTS_PATH).filter(p -> !p.isBlank()).isPresent();
        Path knownHosts = explicitKnownHosts ? path(s, KNOWN_HOSTS_PATH, s.requireString(KNOWN_HOSTS_PATH))
                : Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
        int colon = portColon(hostPort);
        String host = unbracket(colon < 0 ? hostPort : hostPort.substring(0, colon));
        if (host.isEmpty() || host.contains("/") || host.contains("@")) {
            throw new ConfigException(s.origin() + ": key '" + HOST + "'" + s.at(HOST)
                    + " must be host[:port] (no user, no path), got '" + hostPort + "'");
        }
        int port = colon < 0 ? DEFAULT_PORT : port(s, hostPort, hostPort.substring(colon + 1));
        return new SftpSettings(host, port, user, password, keyPath, passphrase,
                s.string(HOST_KEY).filter(k -> !k.isBlank()).map(String::trim), knownHosts, explicitKnownHosts,
                s.bool(INSECURE_IGNORE_HOST_KEY, false), s.bool(CONCURRENT_WRITES, true),
                (int) s.integer(CHANNELS, DEFAULT_CHANNELS, 1, 10), root(s));
    }

    /** {@code sftp://user@host:port} plus {@code /<root>} when keys are not relative to the login directory. */
    String describe() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "sftp://" + user + "@" + h + ":" + port + (root.isEmpty() ? "" : "/" + root);
    }

    /** The remote path of a key or prefix: relative to the login directory, or under {@link #root()}. */
    String remote(String key) {
        if (root.isEmpty()) {
            return key.isEmpty() ? "." : key;
        }
        if (key.isEmpty()) {
            return root;
        }
        return root.endsWith("/") ? root + key : root + "/" + key;
    }

    @Override
    public String toString() {
        return describe() + " (password " + (password.isPresent() ? "set" : "unset") + ", key-path "
                + keyPath.map(Path::toString).orElse("unset") + ")";
    }

    private static String root(Settings s) {
        Optional<String> root = s.string(ROOT).filter(r -> !r.isEmpty());
        if (root.isEmpty()) {
            return "";
        }
        String r = root.get();
        if (!r.startsWith("/") || r.contains("//") || r.contains("\\") || r.matches(".*(^|/)\\.\\.?(/|$).*")) {
            throw new ConfigException(s.origin() + ": key '" + ROOT + "'" + s.at(ROOT)
                    + " must be an absolute directory such as /srv/backups, got '" + r + "'");
        }
        return r.length() > 1 && r.endsWith("/") ? r.substring(0, r.length() - 1) : r;
    }

    /** The index of the colon before the port, or -1: {@code h}, {@code h:22}, {@code [::1]}, {@code [::1]:22}. */
    private static int portColon(String hostPort) {
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            return close > 0 && close + 1 < hostPort.length() && hostPort.charAt(close + 1) == ':' ? close + 1 : -1;
        }
        int colon = hostPort.lastIndexOf(':');
        return colon >= 0 && hostPort.indexOf(':') == colon ? colon : -1;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int port(Settings s, String hostPort, String text) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(s.origin() + ": key '" + HOST + "'" + s.at(HOST) + " has a bad port: '" + hostPort
                + "' (host[:port], port 1-65535)");
    }

    private static Path path(Settings s, String key, String text) {
        String t = text.trim();
        if (t.equals("~") || t.startsWith("~/")) {
            t = System.getProperty("user.home") + t.substring(1);
        }
        try {
            return Path.of(t);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(s.origin() + ": key '" + key + "'" + s.at(key) + " is not a path: '" + text
                    + "'");
        }
    }
}
