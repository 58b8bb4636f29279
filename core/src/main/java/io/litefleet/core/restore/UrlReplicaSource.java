package io.litefleet.core.restore;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.plugin.PluginRegistry;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;

/**
 * A replica URL: its scheme picks the provider, which parses the URL into destination settings and a path.
 *
 * @param url the URL as given
 */
record UrlReplicaSource(String url) implements ReplicaSource {
    UrlReplicaSource {
        Objects.requireNonNull(url, "url");
    }

    @Override
    public Opened open(PluginRegistry registry) throws IOException {
        URI uri = ReplicaUrl.parse(url);
        String origin = "replica URL '" + ReplicaUrl.redact(url) + "'";
        ReplicaClientProvider provider = registry.replicaForScheme(uri.getScheme(), origin);
        ReplicaClientProvider.UrlTarget target = provider.parseUrl(uri);
        ReplicaClient client = provider.create(Settings.of(origin, target.destination()));
        try {
            return new Opened(new ReplicaTarget(client, provider.layout(), target.path()));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public String describe() {
        return url;
    }
}
