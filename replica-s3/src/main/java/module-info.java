/** The s3 replica plugin: provides a {@code ReplicaClientProvider}; exports nothing. */
@SuppressWarnings("module") // "s3" ends in a digit; the artifact name fixes it.
module io.litefleet.replica.s3 {
    requires io.litefleet.api;
    requires software.amazon.awssdk.services.s3;

    provides io.litefleet.api.replica.ReplicaClientProvider with io.litefleet.replica.s3.S3ReplicaClientProvider;
}
