package io.litefleet.core.fleet;

import io.litefleet.api.ConfigException;
import io.litefleet.core.engine.NotReplicableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;

/** What a failure means for a database of the fleet, and so what the fleet does next. */
enum Failure {
    /** An outage or a busy file (I/O, a replica unavailable, throttling): retried with backoff. */
    TRANSIENT,
    /** Retrying cannot help until the file or the config changes (not a WAL database, an unusable replica path). */
    PERMANENT,
    /** A bug (an unchecked exception): logged with its stack once, the database marked failed, no retry loop. */
    BUG;

    /** The kind of {@code t}, looking through the wrappers futures add. */
    static Failure of(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof NotReplicableException || c instanceof ConfigException) {
            return PERMANENT;
        }
        if (c instanceof IOException || c instanceof UncheckedIOException) {
            return TRANSIENT;
        }
        return BUG;
    }

    /** {@code t} without the wrappers futures add. */
    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
