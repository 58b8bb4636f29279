package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Upstream's {@code heartbeat-url} and {@code heartbeat-interval}: a GET to the URL (a dead man's switch such as a
 * healthchecks.io check) at most once per interval, and only while every database listed under {@code dbs:} has synced
 * successfully within the interval.
 *
 * @param url      the http or https URL pinged
 * @param interval at least a minute (upstream's minimum); 5 minutes by default
 */
public record HeartbeatConfig(URI url, Duration interval) {
    /** Upstream's default interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    /** Upstream's minimum interval. */
    public static final Duration MIN_INTERVAL = Duration.ofMinutes(1);

    /** Validates. */
    public HeartbeatConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(interval, "interval");
    }

    /** The heartbeat of {@code top}, if {@code heartbeat-url} is set. */
    static Optional<HeartbeatConfig> parse(Settings top) {
        Duration interval = top.duration("heartbeat-interval", DEFAULT_INTERVAL);
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new ConfigException(top.origin() + ": key 'heartbeat-interval'" + top.at("heartbeat-interval")
                    + " must be at least 1m (as upstream), got '" + top.string("heartbeat-interval").orElse("") + "'");
        }
        Optional<String> text = top.string("heartbeat-url").filter(u -> !u.isBlank());
        if (text.isEmpty()) {
            if (top.has("heartbeat-interval")) {
                throw new ConfigException(top.origin() + ": key 'heartbeat-interval'" + top.at("heartbeat-interval")
                        + " needs 'heartbeat-url', the URL to ping");
            }
            return Optional.empty();
        }
        URI url;
        try {
            url = new URI(text.get().trim());
        } catch (URISyntaxException e) {
            url = null;
        }
        if (url == null || url.getHost() == null || !("http".equalsIgnoreCase(url.getScheme())
                || "https".equalsIgnoreCase(url.getScheme()))) {
            throw new ConfigException(top.origin() + ": key 'heartbeat-url'" + top.at("heartbeat-url")
                    + " must be an http or https URL, got '" + text.get() + "'");
        }
        return Optional.of(new HeartbeatConfig(url, interval));
    }
}
