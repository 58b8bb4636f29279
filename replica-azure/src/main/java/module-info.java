/** The azure replica plugin: provides a {@code ReplicaClientProvider}; exports nothing. */
module io.litefleet.replica.azure {
    requires io.litefleet.api;
    requires com.azure.storage.blob;

    provides io.litefleet.api.replica.ReplicaClientProvider with io.litefleet.replica.azure.AzureReplicaClientProvider;
}
