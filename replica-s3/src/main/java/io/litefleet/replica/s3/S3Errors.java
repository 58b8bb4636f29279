package io.litefleet.replica.s3;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Turns SDK failures into {@link ReplicaException}s whose kind retry logic acts on, with messages that name the
 * object as {@code s3://bucket/key} and never carry a secret (every message is scrubbed of the destination's
 * secrets, in case a server or the SDK echoes one). Immutable; safe from any thread.
 *
 * <p>The kinds, by HTTP status and S3 error code: 404 is {@link ReplicaFailure#NOT_FOUND}; 412 and 409
 * {@code ConditionalRequestConflict} (another writer is creating the key) {@link ReplicaFailure#PRECONDITION_FAILED};
 * 429, 503 ({@code SlowDown}, {@code ServiceUnavailable} or no code) and the SDK's throttling codes
 * {@link ReplicaFailure#THROTTLED}; 401, 403, the token codes and an unknown access key (whatever the status: versitygw
 * answers 404 {@code XAdminUserNotFound}) {@link ReplicaFailure#AUTH}; other 5xx, 408,
 * {@code RequestTimeout} and failures to connect or to read a response {@link ReplicaFailure#UNAVAILABLE}; a body
 * that could not be read from its source {@link ReplicaFailure#IO}; other 4xx and redirects (a bucket in another
 * region) {@link ReplicaFailure#INVALID}. The SDK status code is used even when the error body is missing (the
 * url-connection client cannot read the body of an error answered to {@code Expect: 100-continue}).
 */
final class S3Errors {
    private static final Set<String> AUTH_CODES = Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
            "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "InvalidSecurity", "AccountProblem",
            "AllAccessDisabled",
            "XAdminUserNotFound"); // versitygw's 404 for an access key it does not know
    private static final Set<String> THROTTLE_503 = Set.of("SlowDown", "ServiceUnavailable", "");

    private final String destination;
    private final List<String> secrets;

    S3Errors(String destination, List<String> secrets) {
        this.destination = destination;
        this.secrets = List.copyOf(secrets);
    }

    /** Maps a failure of {@code op} on {@code key} (a key, a prefix, or empty for the bucket). */
    ReplicaException map(String op, String key, SdkException e) {
        return new ReplicaException(kind(e), message(op, key, detail(e)), e);
    }

    /** A failure found by the client itself. */
    ReplicaException of(ReplicaFailure kind, String op, String key, String problem) {
        return new ReplicaException(kind, message(op, key, problem));
    }

    /** A failure while reading a response body (an object's bytes) after the request succeeded. */
    ReplicaException reading(String key, long offset, IOException e) {
        ReplicaFailure kind = e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)
                ? ReplicaFailure.IO : ReplicaFailure.UNAVAILABLE;
        return new ReplicaException(kind, message("get", key, "reading failed at byte " + offset + ": "
                + scrub(String.valueOf(e.getMessage()))), e);
    }

    /** {@code op 's3://bucket/key': problem}, scrubbed. */
    String message(String op, String key, String problem) {
        return op + " '" + destination + (key.isEmpty() ? "" : "/" + key) + "': " + scrub(problem);
    }

    /** The text with every secret replaced by {@code ***}. */
    String scrub(String text) {
        String t = text;
        for (String s : secrets) {
            if (!s.isEmpty()) {
                t = t.replace(s, "***");
            }
        }
        return t;
    }

    static ReplicaFailure kind(SdkException e) {
        if (e instanceof SdkServiceException s) {
            String code = e instanceof AwsServiceException a && a.awsErrorDetails() != null
                    && a.awsErrorDetails().errorCode() != null ? a.awsErrorDetails().errorCode() : "";
            return byStatus(s.statusCode(), code, s.isThrottlingException());
        }
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("Unable to load credentials") || msg.contains("Access key ID cannot be blank")) {
            return ReplicaFailure.AUTH;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BodySourceException) {
                return ReplicaFailure.IO;
            }
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof NoRouteToHostException
                    || c instanceof UnknownHostException || c instanceof SocketTimeoutException
                    || c instanceof SocketException || c instanceof SSLException) {
                return ReplicaFailure.UNAVAILABLE;
            }
            if (c instanceof IOException && !(c instanceof InterruptedIOException)) {
                return ReplicaFailure.UNAVAILABLE; // a connection that broke mid-request: the server may be back
            }
        }
        return ReplicaFailure.IO;
    }

    private static ReplicaFailure byStatus(int status, String code, boolean sdkThrottling) {
        if (status == 429 || sdkThrottling || (status == 503 && THROTTLE_503.contains(code))) {
            return ReplicaFailure.THROTTLED;
        }
        if (status == 401 || status == 403 || AUTH_CODES.contains(code)) {
            return ReplicaFailure.AUTH;
        }
        if (status == 404) {
            return ReplicaFailure.NOT_FOUND;
        }
        if (status == 412 || code.equals("ConditionalRequestConflict")) {
            return ReplicaFailure.PRECONDITION_FAILED;
        }
        if (status >= 500 || status == 408 || status == 409 || code.equals("RequestTimeout")) {
            return ReplicaFailure.UNAVAILABLE;
        }
        if (code.equals("IncompleteBody")) {
            return ReplicaFailure.IO;
        }
        return ReplicaFailure.INVALID;
    }

    private static String detail(SdkException e) {
        if (e instanceof AwsServiceException a && a.awsErrorDetails() != null) {
            var d = a.awsErrorDetails();
            String code = d.errorCode() == null || d.errorCode().isEmpty() ? "" : " " + d.errorCode();
            String hint = a.statusCode() == 301 || a.statusCode() == 307
                    ? " (the bucket is in another region or behind another endpoint: set 'region' or 'endpoint')"
                    : "";
            return "HTTP " + a.statusCode() + code + ": " + (d.errorMessage() == null ? "" : d.errorMessage()) + hint;
        }
        if (kind(e) == ReplicaFailure.AUTH) { // the SDK's text lists every provider it tried, each with its reason
            return "no credentials: set 'access-key-id' and 'secret-access-key', or AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY, or another source of the AWS default chain (profile, web identity, "
                    + "container, instance); the SDK's reasons are in this error's cause";
        }
        StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && (e.getMessage() == null || !e.getMessage().contains(String.valueOf(root.getMessage())))) {
            b.append(" (").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage()).append(')');
        }
        return b.toString();
    }
}
