package io.litefleet.core.metric;

import io.litefleet.core.config.HeartbeatConfig;
import io.litefleet.core.engine.DbStats;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Upstream's heartbeat: every {@link #CHECK_EVERY} it GETs {@code heartbeat-url} when the last ping is at least
 * {@code heartbeat-interval} ago and every listed database synced successfully within that interval, so the receiving
 * dead man's switch alerts when replication stops. A ping that fails (no answer, a status outside 2xx) is logged and
 * waits for the next interval, as upstream does. One thread, {@code litefleet-heartbeat-0}; {@link #close()} stops it.
 * Thread-safe.
 */
public final class Heartbeat implements AutoCloseable {
    /** How often the condition is checked (upstream's {@code DefaultHeartbeatCheckInterval}). */
    static final Duration CHECK_EVERY = Duration.ofSeconds(15);
    private static final int TIMEOUT_MILLIS = 30_000;
    private static final System.Logger LOG = System.getLogger(Heartbeat.class.getName());

    private final HeartbeatConfig config;
    private final List<DbStats> dbs;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private Instant lastPing;

    private Heartbeat(HeartbeatConfig config, List<DbStats> dbs, Clock clock, ScheduledExecutorService timer) {
        this.config = Objects.requireNonNull(config, "config");
        this.dbs = List.copyOf(dbs);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timer = timer;
    }

    /** Checks every {@link #CHECK_EVERY} on its own thread, the first time after one period. */
    public static Heartbeat start(HeartbeatConfig config, List<DbStats> dbs, Clock clock) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "litefleet-heartbeat-0");
            t.setDaemon(true);
            return t;
        });
        Heartbeat h = new Heartbeat(config, dbs, clock, timer);
        timer.scheduleWithFixedDelay(h::checkQuietly, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        return h;
    }

    /** No thread: the caller calls {@link #check()} (tests). */
    static Heartbeat manual(HeartbeatConfig config, List<DbStats> dbs, Clock clock) {
        return new Heartbeat(config, dbs, clock, null);
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "heartbeat check failed", e);
        }
    }

    /** Pings when due and every database is healthy; whether a ping was sent (even one that failed). */
    synchronized boolean check() {
        Instant now = clock.instant();
        if (lastPing != null && now.isBefore(lastPing.plus(config.interval()))) {
            return false;
        }
        Instant since = now.minus(config.interval());
        boolean healthy = !dbs.isEmpty() && dbs.stream().allMatch(d -> d.lastSuccess().filter(t -> !t.isBefore(since))
                .isPresent());
        if (!healthy) {
            return false;
        }
        lastPing = now; // before the request: a failing endpoint is not retried before the next interval
        ping();
        return true;
    }

    private void ping() {
        try {
            HttpURLConnection c = (HttpURLConnection) config.url().toURL().openConnection();
            c.setConnectTimeout(TIMEOUT_MILLIS);
            c.setReadTimeout(TIMEOUT_MILLIS);
            try {
                int status = c.getResponseCode();
                try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                    if (in != null) {
                        in.readAllBytes();
                    }
                }
                if (status < 200 || status >= 300) {
                    LOG.log(System.Logger.Level.WARNING, "heartbeat ping to " + redacted() + " failed: status "
                            + status);
                }
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "heartbeat ping to " + redacted() + " failed: " + e);
        }
    }

    /** The URL without its path and query, which often hold the check's secret token. */
    private String redacted() {
        return config.url().getScheme() + "://" + config.url().getHost() + "/...";
    }

    /** Stops the thread. Idempotent. */
    @Override
    public void close() {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
