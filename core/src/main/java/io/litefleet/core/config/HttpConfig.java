package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The daemon's HTTP endpoint ({@code /metrics}, the status API and page): upstream's {@code addr:}, here on by
 * default at {@link #DEFAULT_ADDR}, and Litefleet's {@code addr-token:} / {@code addr-token-file:} and
 * {@code health:} keys.
 *
 * @param addr      where to listen; empty when turned off ({@code addr: off} or {@code addr: ""})
 * @param defaulted whether {@code addr} is the default (no {@code addr:} key): a port in use is then a warning,
 *                  not a start error
 * @param token     the bearer token every request but {@code /healthz} and {@code /readyz} must carry, if set
 * @param health    the thresholds of {@code /healthz}
 */
public record HttpConfig(Optional<ListenAddress> addr, boolean defaulted, Optional<String> token,
                         HealthThresholds health) {
    /** Where the endpoint listens when {@code addr:} is absent, as the issue and Prometheus' convention have it. */
    public static final String DEFAULT_ADDR = "127.0.0.1:9090";
    /** No endpoint (embedders that do not ask for one). */
    public static final HttpConfig OFF = new HttpConfig(Optional.empty(), false, Optional.empty(),
            HealthThresholds.DEFAULTS);

    /** Validates. */
    public HttpConfig {
        Objects.requireNonNull(addr, "addr");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(health, "health");
        if (token.isPresent() && token.get().isEmpty()) {
            throw new IllegalArgumentException("empty token");
        }
    }

    /** Listening on {@code addr} (explicitly), with default thresholds and no token. */
    public static HttpConfig at(ListenAddress addr) {
        return new HttpConfig(Optional.of(addr), false, Optional.empty(), HealthThresholds.DEFAULTS);
    }

    /** The keys of {@code top}. */
    static HttpConfig parse(Settings top) {
        Optional<String> raw = top.string("addr").map(String::trim);
        boolean off = raw.isPresent() && (raw.get().isEmpty() || raw.get().equalsIgnoreCase("off"));
        Optional<ListenAddress> addr = off ? Optional.empty() : Optional.of(ListenAddress.of(raw.orElse(DEFAULT_ADDR),
                raw.isPresent() ? top.origin() + ": key 'addr'" + top.at("addr")
                        : top.origin() + ": the default addr " + DEFAULT_ADDR + " (no key 'addr')"));
        return new HttpConfig(addr, raw.isEmpty(), token(top),
                HealthThresholds.parse(top.section("health")));
    }

    private static Optional<String> token(Settings top) {
        Optional<String> inline = top.string("addr-token");
        Optional<String> file = top.string("addr-token-file");
        if (inline.isPresent() && file.isPresent()) {
            throw new ConfigException(top.origin() + ": keys 'addr-token'" + top.at("addr-token") + " and "
                    + "'addr-token-file'" + top.at("addr-token-file") + " are exclusive: give one");
        }
        if (inline.isPresent()) {
            return Optional.of(nonEmpty(inline.get().trim(), top.origin() + ": key 'addr-token'"
                    + top.at("addr-token")));
        }
        if (file.isEmpty()) {
            return Optional.empty();
        }
        String where = top.origin() + ": key 'addr-token-file'" + top.at("addr-token-file");
        Path p = Path.of(file.get().trim());
        try {
            return Optional.of(nonEmpty(Files.readString(p).trim(), where + " (" + p + ")"));
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot read " + p + ": " + e, e);
        }
    }

    private static String nonEmpty(String token, String where) {
        if (token.isEmpty()) {
            throw new ConfigException(where + ": the token is empty");
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ConfigException(where + ": the token must be printable ASCII without spaces (it is sent in an "
                    + "Authorization header)");
        }
        return token;
    }

    /**
     * When {@code GET /healthz} fails.
     *
     * @param maxLag      a hot database's replica is behind by more than this ({@code health.max-lag}, 1m)
     * @param maxFailing  a destination's syncs have failed for longer than this ({@code health.max-failing}, 5m)
     * @param missedScans no discovery scan completed within this many scan intervals ({@code health.missed-scans}, 3)
     */
    public record HealthThresholds(Duration maxLag, Duration maxFailing, int missedScans) {
        /** 1 minute, 5 minutes, 3 scan intervals. */
        public static final HealthThresholds DEFAULTS = new HealthThresholds(Duration.ofMinutes(1),
                Duration.ofMinutes(5), 3);

        /** Validates. */
        public HealthThresholds {
            if (maxLag.isNegative() || maxLag.isZero() || maxFailing.isNegative() || maxFailing.isZero()
                    || missedScans < 1) {
                throw new IllegalArgumentException("thresholds must be positive");
            }
        }

        static HealthThresholds parse(Optional<Settings> section) {
            if (section.isEmpty()) {
                return DEFAULTS;
            }
            Settings s = section.get();
            s.rejectUnknownKeys(Set.of("max-lag", "max-failing", "missed-scans"));
            return new HealthThresholds(positive(s, "max-lag", DEFAULTS.maxLag),
                    positive(s, "max-failing", DEFAULTS.maxFailing),
                    (int) s.integer("missed-scans", DEFAULTS.missedScans, 1, 1_000_000));
        }

        private static Duration positive(Settings s, String key, Duration d) {
            Duration v = s.duration(key, d);
            if (v.isZero() || v.isNegative()) {
                throw new ConfigException(s.origin() + ": key '" + key + "'" + s.at(key) + " must be positive, got '"
                        + s.string(key).orElse("") + "'");
            }
            return v;
        }
    }
}
