package io.litefleet.cluster.etcd;

import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.CoordinatorStats.Operation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Watches the ownership keys for deletions on one owned thread: a {@code POST /v3/watch} stream read line by line,
 * reopened (on the next endpoint when the last one fails) from the revision after the last one seen, so no event is
 * lost across a reconnect. When etcd has compacted that revision away, events may have been missed: {@code missed}
 * runs (the coordinator's listeners hear {@code releasesMissed} and try every location held by others again) and
 * the watch starts over from the compaction revision.
 */
final class EtcdWatch implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EtcdWatch.class.getName());
    private static final long MIN_BACKOFF = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF = TimeUnit.SECONDS.toNanos(5);

    private final EtcdHttp http;
    private final String prefix;
    private final Consumer<String> deleted;
    private final Runnable missed;
    private final Thread thread;
    private final AtomicReference<Stream<String>> stream = new AtomicReference<>();
    private volatile boolean closed;
    private volatile long nextRevision;
    private volatile int endpoint = -1;

    /**
     * Starts watching every key under {@code prefix} from {@code fromRevision}, calling {@code deleted} with each
     * deleted key and {@code missed} after a compaction, on a thread made by {@code threads}.
     */
    EtcdWatch(EtcdHttp http, String prefix, long fromRevision, Consumer<String> deleted, Runnable missed,
              ThreadFactory threads) {
        this.http = http;
        this.prefix = prefix;
        this.deleted = deleted;
        this.missed = missed;
        this.nextRevision = fromRevision;
        this.thread = threads.newThread(this::run);
        this.thread.start();
    }

    /**
     * Reopens the stream on the endpoint the other requests use, when that is not the one the stream is on: a
     * member that stopped answering (paused, partitioned) leaves a watch silent, not closed, while keep-alives
     * have already failed over.
     */
    void follow(int current) {
        int on = endpoint;
        if (on >= 0 && on != current) {
            reconnect();
        }
    }

    /** Drops the current stream so the watch reopens at once (after etcd came back, say). */
    void reconnect() {
        Stream<String> s = stream.get();
        if (s != null) {
            s.close();
        }
        thread.interrupt(); // a read blocked on a silent connection (a paused member) wakes up
    }

    private void run() {
        long backoff = MIN_BACKOFF;
        while (!closed) {
            Thread.interrupted(); // a reconnect's interrupt is spent: clear it before the next request
            try {
                if (readStream()) {
                    backoff = MIN_BACKOFF;
                }
            } catch (UncheckedIOException | IOException e) {
                if (!closed) {
                    LOG.log(Level.FINE, "etcd watch interrupted, reopening from revision " + nextRevision, e);
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "etcd watch failed, reopening from revision " + nextRevision, e);
                }
            }
            if (!closed) {
                LockSupport.parkNanos(backoff);
                backoff = Math.min(MAX_BACKOFF, backoff * 2);
            }
        }
    }

    /** Reads one stream to its end; whether it got anything. */
    private boolean readStream() throws CoordinationException, IOException {
        // Deletions only (NOPUT): claims all over the cluster would otherwise stream to every instance. Progress
        // notifications move the resume revision on while no deletion comes, so a reconnect rarely finds it compacted.
        Map<String, Object> create = Map.of("key", Json.b64(prefix), "range_end", EtcdClaims.rangeEnd(prefix),
                "start_revision", nextRevision, "filters", List.of("NOPUT"), "progress_notify", true);
        Stream<String> lines = http.open(Operation.WATCH, "watch " + prefix, "/v3/watch", Map.of("create_request", create));
        endpoint = http.currentEndpoint();
        stream.set(lines);
        if (closed) {
            lines.close();
            return false;
        }
        boolean any = false;
        try (lines) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.isBlank()) {
                    continue;
                }
                any = true;
                Map<String, Object> m = Json.parseObject(line);
                if (m.containsKey("error")) {
                    throw new IOException("etcd watch error: " + Json.abbreviate(line));
                }
                if (!event(Json.object(m, "result"))) {
                    return any;
                }
            }
        } finally {
            stream.compareAndSet(lines, null);
            endpoint = -1;
        }
        return any;
    }

    /** Handles one watch response; false when the stream is over (cancelled). */
    private boolean event(Map<String, Object> result) {
        long compacted = Json.int64(result, "compact_revision");
        if (Json.bool(result, "canceled") || compacted > 0) {
            if (compacted > 0) {
                LOG.warning("etcd compacted revision " + nextRevision + " away (now at " + compacted
                        + "): releases in between may be missed; every location held by others is tried again");
                nextRevision = compacted;
                missed.run();
            }
            return false;
        }
        for (Map<String, Object> e : Json.objects(result, "events")) {
            Map<String, Object> kv = Json.object(e, "kv");
            if ("DELETE".equals(Json.string(e, "type"))) {
                deleted.accept(Json.unb64(kv, "key"));
            }
            long rev = Json.int64(kv, "mod_revision");
            if (rev >= nextRevision) {
                nextRevision = rev + 1;
            }
        }
        long header = Json.int64(Json.object(result, "header"), "revision");
        if (Json.objects(result, "events").isEmpty() && !Json.bool(result, "created") && header >= nextRevision) {
            nextRevision = header + 1; // a progress notification: nothing of ours changed up to it
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        reconnect();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
