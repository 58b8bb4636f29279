/** The azure replica plugin: provides a {@code ReplicaClientProvider}; exports nothing. */
module io.litefleet.replica.azure {
    requires io.litefleet.api;
    requires com.azure.storage.blob;
    requires com.azure.storage.common;
    requires com.azure.core;
    requires com.azure.core.http.jdk.httpclient;
    requires com.azure.identity;
    requires java.net.http;
    requires java.logging;

    provides io.litefleet.api.replica.ReplicaClientProvider with io.litefleet.replica.azure.AzureReplicaClientProvider;
}
