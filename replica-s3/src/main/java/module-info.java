/** The s3 replica plugin: provides a {@code ReplicaClientProvider}; exports nothing. */
@SuppressWarnings("module") // "s3" ends in a digit; the artifact name fixes it.
module io.litefleet.replica.s3 {
    requires io.litefleet.api;
    requires software.amazon.awssdk.services.s3;
}
