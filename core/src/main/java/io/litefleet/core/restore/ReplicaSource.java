package io.litefleet.core.restore;

import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.plugin.PluginRegistry;
import java.io.IOException;

/**
 * Where a restore reads from, before it is opened: a replica URL today, a database of a config file later. Each
 * form resolves its backend through the {@link PluginRegistry}. Implementations are immutable values.
 */
public interface ReplicaSource {

    /**
     * Opens a client for the replica.
     *
     * @return the open replica; the caller closes it, which closes the client
     * @throws io.litefleet.api.ConfigException when the source names an unknown backend or bad settings
     * @throws IOException                      when the backend cannot be reached
     */
    Opened open(PluginRegistry registry) throws IOException;

    /** The source as the user wrote it, for messages. */
    String describe();

    /**
     * Whether a command-line argument is a replica URL rather than a database path, by upstream's rule (a word,
     * then {@code ://}).
     */
    static boolean isUrl(String arg) {
        return arg.matches("\\w+://.*");
    }

    /** The replica at {@code url}, for example {@code file:///backups/db} or {@code s3://bucket/db}. */
    static ReplicaSource url(String url) {
        return new UrlReplicaSource(url);
    }

    /**
     * An opened replica that owns its client.
     *
     * @param target the replica: client, layout and path
     */
    record Opened(ReplicaTarget target) implements AutoCloseable {
        /** Closes the client. */
        @Override
        public void close() {
            target.client().close();
        }
    }
}
