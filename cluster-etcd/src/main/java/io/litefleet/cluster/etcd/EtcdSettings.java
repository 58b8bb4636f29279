package io.litefleet.cluster.etcd;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The etcd keys of a {@code cluster:} section.
 *
 * @param endpoints      client URLs, tried in order, the next one when a request fails ({@code endpoints})
 * @param leaseTtl       the session lease's time to live ({@code lease-ttl}, default 10s, at least 2s)
 * @param fenceMargin    how long before the lease could expire on the server this instance stops writing
 *                       ({@code fence-margin}, default max(1s, TTL/5), less than TTL/2)
 * @param prefix         the key prefix of this fleet ({@code prefix}, default {@code /litefleet/})
 * @param requestTimeout the longest one request may take ({@code request-timeout}, default min(5s, TTL/3))
 * @param tls            TLS files for {@code https} endpoints ({@code tls: {ca-file, cert-file, key-file}})
 * @param username       etcd user ({@code username}); with {@code password} or {@code password-file}
 * @param password       that user's password
 */
record EtcdSettings(List<URI> endpoints, Duration leaseTtl, Duration fenceMargin, String prefix,
                    Duration requestTimeout, Tls tls, Optional<String> username, Optional<String> password) {
    /** The keys a {@code cluster: {type: etcd}} section accepts besides the engine's. */
    static final Set<String> KEYS = Set.of("endpoints", "lease-ttl", "fence-margin", "prefix", "request-timeout",
            "tls", "username", "password", "password-file");
    private static final Set<String> TLS_KEYS = Set.of("ca-file", "cert-file", "key-file");
    private static final Duration MIN_TTL = Duration.ofSeconds(2);
    private static final Duration MIN_MARGIN = Duration.ofMillis(500);

    /**
     * TLS files, each optional: a PEM CA bundle to trust instead of the JDK's, and a client certificate (PEM) with
     * its PKCS#8 PEM key for mutual TLS.
     */
    record Tls(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {
        static final Tls NONE = new Tls(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Parses and checks a section; every error names the key (and line) and the value. */
    static EtcdSettings parse(Settings s) {
        s.rejectUnknownKeys(KEYS);
        List<URI> endpoints = new ArrayList<>();
        for (String e : s.strings("endpoints")) {
            endpoints.add(endpoint(s, e));
        }
        if (endpoints.isEmpty()) {
            throw new ConfigException(s.origin() + ": cluster 'endpoints' is required for type etcd, for example "
                    + "endpoints: [\"http://127.0.0.1:2379\"]");
        }
        Duration ttl = s.duration("lease-ttl", Duration.ofSeconds(10));
        if (ttl.compareTo(MIN_TTL) < 0 || ttl.toMillis() % 1000 != 0) {
            throw new ConfigException(s.origin() + ": cluster 'lease-ttl'" + s.at("lease-ttl") + " must be whole "
                    + "seconds and at least " + MIN_TTL.toSeconds() + "s (etcd leases count seconds), not " + ttl);
        }
        Duration defaultMargin = ttl.dividedBy(5).compareTo(Duration.ofSeconds(1)) > 0 ? ttl.dividedBy(5)
                : Duration.ofSeconds(1);
        Duration margin = s.duration("fence-margin", defaultMargin);
        if (margin.compareTo(MIN_MARGIN) < 0 || margin.compareTo(ttl.dividedBy(2)) >= 0) {
            throw new ConfigException(s.origin() + ": cluster 'fence-margin'" + s.at("fence-margin") + " must be "
                    + "at least " + MIN_MARGIN.toMillis() + "ms (it covers the time from a write's check to the "
                    + "store's commit and the drift of the two clocks) and less than half of lease-ttl (" + ttl
                    + "), not " + margin);
        }
        Duration defaultTimeout = ttl.dividedBy(3).compareTo(Duration.ofSeconds(5)) < 0 ? ttl.dividedBy(3)
                : Duration.ofSeconds(5);
        Duration timeout = s.duration("request-timeout", defaultTimeout);
        if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(ttl.dividedBy(2)) > 0) {
            throw new ConfigException(s.origin() + ": cluster 'request-timeout'" + s.at("request-timeout")
                    + " must be positive and at most half of lease-ttl (" + ttl + "; a keep-alive answered later "
                    + "renews nothing usable), not " + timeout);
        }
        String prefix = s.string("prefix").orElse("/litefleet/");
        if (prefix.isEmpty() || !prefix.endsWith("/")) {
            throw new ConfigException(s.origin() + ": cluster 'prefix'" + s.at("prefix") + " must end with '/', not '"
                    + prefix + "'");
        }
        Optional<String> password = password(s);
        List<URI> plainRemote = endpoints.stream().filter(u -> "http".equals(u.getScheme()) && !loopback(u.getHost()))
                .toList();
        if (password.isPresent() && !plainRemote.isEmpty()) {
            throw new ConfigException(s.origin() + ": cluster 'password'" + s.at(s.has("password") ? "password"
                    : "password-file") + " would be sent in clear text to " + plainRemote + ": use https:// "
                    + "endpoints (with 'tls'), or http:// on this machine only (127.0.0.1, ::1, localhost)");
        }
        if (s.has("tls") && endpoints.stream().noneMatch(u -> "https".equals(u.getScheme()))) {
            throw new ConfigException(s.origin() + ": cluster 'tls'" + s.at("tls") + " is set but no endpoint is "
                    + "https:// (" + endpoints + ")");
        }
        return new EtcdSettings(List.copyOf(endpoints), ttl, margin, prefix, timeout, tls(s), s.string("username"),
                password);
    }

    /** A literal loopback host (no name lookup at parse time). */
    private static boolean loopback(String host) {
        return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                || host.equals("::1"));
    }

    private static URI endpoint(Settings s, String text) {
        URI u;
        try {
            u = URI.create(text.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.origin() + ": cluster 'endpoints'" + s.at("endpoints") + ": '" + text
                    + "' is not a URL: " + e.getMessage(), e);
        }
        boolean http = "http".equals(u.getScheme()) || "https".equals(u.getScheme());
        if (!http || u.getHost() == null || u.getPort() < 0 || (u.getPath() != null && !u.getPath().isEmpty()
                && !"/".equals(u.getPath())) || u.getQuery() != null || u.getUserInfo() != null) {
            throw new ConfigException(s.origin() + ": cluster 'endpoints'" + s.at("endpoints") + ": '" + text
                    + "' must be http://HOST:PORT or https://HOST:PORT (no path, query or user)");
        }
        return URI.create(u.getScheme() + "://" + u.getRawAuthority());
    }

    private static Tls tls(Settings s) {
        Optional<Settings> section = s.section("tls");
        if (section.isEmpty()) {
            return Tls.NONE;
        }
        Settings t = section.get();
        t.rejectUnknownKeys(TLS_KEYS);
        Tls tls = new Tls(file(t, "ca-file"), file(t, "cert-file"), file(t, "key-file"));
        if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
            throw new ConfigException(t.origin() + ": cluster 'tls' needs both 'cert-file' and 'key-file' (a client "
                    + "certificate and its key), or neither");
        }
        return tls;
    }

    private static Optional<Path> file(Settings s, String key) {
        Optional<Path> p = s.string(key).map(Path::of);
        if (p.isPresent() && !Files.isReadable(p.get())) {
            throw new ConfigException(s.origin() + ": cluster tls '" + key + "'" + s.at(key) + ": cannot read '"
                    + p.get() + "'");
        }
        return p;
    }

    private static Optional<String> password(Settings s) {
        if (s.has("password") && s.has("password-file")) {
            throw new ConfigException(s.origin() + ": cluster 'password' and 'password-file' exclude each other");
        }
        Optional<String> password = s.string("password");
        Optional<String> file = s.string("password-file");
        if (file.isPresent()) {
            try {
                password = Optional.of(Files.readString(Path.of(file.get())).strip());
            } catch (java.io.IOException e) {
                throw new ConfigException(s.origin() + ": cluster 'password-file'" + s.at("password-file")
                        + ": cannot read '" + file.get() + "': " + e.getMessage(), e);
            }
        }
        if (password.isPresent() != s.has("username")) {
            throw new ConfigException(s.origin() + ": cluster 'username' and 'password' (or 'password-file') go "
                    + "together");
        }
        return password;
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "EtcdSettings[endpoints=" + endpoints + ", leaseTtl=" + leaseTtl + ", fenceMargin=" + fenceMargin
                + ", prefix=" + prefix + ", requestTimeout=" + requestTimeout + ", username=" + username
                + ", password=" + password.map(p -> "***") + "]";
    }
}
