package io.litefleet.replica.gcs;

import com.google.cloud.BaseServiceException;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;

/**
 * Turns google-cloud-storage failures into {@link ReplicaException}s naming the object as
 * {@code gs://bucket/key}. The destination holds no secret of ours (credentials come from the environment), and
 * messages carry the HTTP status and the service's first message line only. Immutable; safe from any thread.
 */
final class GcsErrors {
    private final String destination;

    GcsErrors(String destination) {
        this.destination = destination;
    }

    /** A failure of {@code op} on {@code key} ({@code null} for the bucket itself). */
    ReplicaException map(String op, String key, Throwable e) {
        return new ReplicaException(kind(e), where(key) + ": " + op + " failed: " + summary(e), e);
    }

    /** A failure found by the client itself. */
    ReplicaException of(ReplicaFailure kind, String op, String key, String problem) {
        return new ReplicaException(kind, where(key) + ": " + op + ": " + problem);
    }

    /** {@code gs://bucket/key}. */
    String where(String key) {
        return key == null || key.isEmpty() ? destination : destination + "/" + key;
    }

    /** The HTTP status of the first service exception in the chain, or 0 when none answered. */
    static int status(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BaseServiceException s && s.getCode() > 0) {
                return s.getCode();
            }
        }
        return 0;
    }

    static ReplicaFailure kind(Throwable e) {
        int status = status(e);
        if (status > 0) {
            return status(status);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof SocketTimeoutException) {
                return ReplicaFailure.UNAVAILABLE;
            }
        }
        return ReplicaFailure.IO;
    }

    /**
     * Google's answers as retry logic needs them: 429 and 503 ask for backoff (GCS's retry strategy), other 5xx and
     * 408 may pass; {@code ifGenerationMatch=0} on an existing object is 412.
     */
    static ReplicaFailure status(int status) {
        return switch (status) {
            case 401, 403 -> ReplicaFailure.AUTH;
            case 404 -> ReplicaFailure.NOT_FOUND;
            case 409, 412 -> ReplicaFailure.PRECONDITION_FAILED;
            case 408 -> ReplicaFailure.UNAVAILABLE;
            case 429, 503 -> ReplicaFailure.THROTTLED;
            default -> status >= 500 ? ReplicaFailure.UNAVAILABLE : ReplicaFailure.INVALID;
        };
    }

    private static String summary(Throwable e) {
        int status = status(e);
        StringBuilder sb = new StringBuilder(status > 0 ? status + " " : "");
        for (Throwable c = e; c != null && sb.length() < 400; c = c.getCause()) {
            if (c != e) {
                sb.append("; caused by ");
            }
            sb.append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                String m = c.getMessage().strip();
                int nl = m.indexOf('\n');
                sb.append(": ").append(nl < 0 ? m : m.substring(0, nl).strip());
            }
            if (c instanceof IOException && !(c.getCause() instanceof IOException)) {
                break;
            }
        }
        return sb.toString();
    }
}
