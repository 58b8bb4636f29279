/** The s3 replica plugin: provides a {@code ReplicaClientProvider}; exports nothing. */
@SuppressWarnings("module") // "s3" ends in a digit; the artifact name fixes it.
module io.litefleet.replica.s3 {
    requires io.litefleet.api;
    requires software.amazon.awssdk.services.s3;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.auth;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.http;
    requires software.amazon.awssdk.http.auth.aws;
    requires software.amazon.awssdk.http.auth.spi;
    requires software.amazon.awssdk.http.urlconnection;
    requires software.amazon.awssdk.utils;

    provides io.litefleet.api.replica.ReplicaClientProvider with io.litefleet.replica.s3.S3ReplicaClientProvider;
}
