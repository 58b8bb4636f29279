package io.litefleet.replica.s3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;
import software.amazon.awssdk.utils.AttributeMap;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Builds the AWS SDK client for one destination, and owns what it is built from.
 *
 * <p><b>HTTP.</b> The JDK-based url-connection client (the plugin ships no Apache or Netty client): one per
 * destination, shared by every request; idle connections are kept alive by the JDK's cache
 * ({@code http.maxConnections}: 5 per host in the JDK, 256 under {@code litefleet}, which runs at most that many
 * uploads per destination at once). Connect timeout 10 s, read timeout 60 s.
 *
 * <p><b>Checksums.</b> {@code WHEN_REQUIRED} for request calculation and response validation, as upstream sets for
 * custom endpoints: current SDKs otherwise send trailing CRC checksums in {@code aws-chunked} bodies that several
 * S3-compatible servers refuse. With {@code require-content-md5} (the default, as upstream), the operations that
 * need a checksum (DeleteObjects) carry Content-MD5, which older servers insist on, instead of a CRC header.
 *
 * <p><b>Retries.</b> The SDK's standard mode (3 attempts with jittered backoff, throttling included); the engine
 * retries what is still failing after that with its own backoff.
 *
 * <p><b>Region.</b> As configured (or {@code AWS_REGION}); else the profile's; else {@code us-east-1}, and then on
 * AWS (no endpoint) cross-region access follows a bucket that lives elsewhere, as upstream's region lookup does.
 */
final class S3Sdk implements AutoCloseable {
    private static final String DEFAULT_REGION = "us-east-1";

    private final S3Client client;
    private final List<SdkAutoCloseable> owned;

    private S3Sdk(S3Client client, List<SdkAutoCloseable> owned) {
        this.client = client;
        this.owned = owned;
    }

    /** The SDK client, thread-safe. */
    S3Client client() {
        return client;
    }

    static S3Sdk open(S3Config c) {
        List<SdkAutoCloseable> owned = new ArrayList<>();
        SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60))
                .buildWithDefaults(AttributeMap.builder()
                        .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, c.skipVerify()).build());
        owned.add(http);
        AwsCredentialsProvider credentials = c.credentials()
                .<AwsCredentialsProvider>map(k -> StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(k.accessKeyId(), k.secretAccessKey())))
                .orElseGet(() -> {
                    DefaultCredentialsProvider d = DefaultCredentialsProvider.builder().build();
                    owned.add(d);
                    return d;
                });
        String region = c.region().or(S3Sdk::profileRegion).orElse(DEFAULT_REGION);
        S3ClientBuilder b = S3Client.builder().httpClient(http).credentialsProvider(credentials)
                .region(Region.of(region)).forcePathStyle(c.forcePathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD));
        c.endpoint().ifPresentOrElse(b::endpointOverride, () -> b.crossRegionAccessEnabled(c.region().isEmpty()));
        if (c.requireContentMd5()) {
            b.addPlugin(LegacyMd5Plugin.create());
        }
        if (!c.signPayload()) {
            b.authSchemeProvider(unsignedPayload());
        }
        try {
            return new S3Sdk(b.build(), owned);
        } catch (RuntimeException e) {
            owned.forEach(SdkAutoCloseable::close);
            throw e;
        }
    }

    /** {@code sign-payload: false}: {@code UNSIGNED-PAYLOAD} (the signer still signs payloads sent over HTTP). */
    private static S3AuthSchemeProvider unsignedPayload() {
        S3AuthSchemeProvider defaults = S3AuthSchemeProvider.defaultProvider();
        return params -> defaults.resolveAuthScheme(params).stream()
                .map(o -> o.toBuilder().putSignerProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .build())
                .toList();
    }

    private static java.util.Optional<String> profileRegion() {
        try {
            return java.util.Optional.ofNullable(new AwsProfileRegionProvider().getRegion()).map(Region::id);
        } catch (RuntimeException e) {
            return java.util.Optional.empty(); // no profile, or no region in it
        }
    }

    /** Closes the SDK client and what it was built from. Idempotent. */
    @Override
    public void close() {
        RuntimeException failure = null;
        List<SdkAutoCloseable> all = new ArrayList<>();
        all.add(client);
        all.addAll(owned);
        for (SdkAutoCloseable c : all) {
            try {
                c.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
