package io.litefleet.replica.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Turns Azure SDK failures into {@link ReplicaException}s that name the blob as {@code abs://account@container/key}
 * and never carry a secret: messages are built from the status and Azure's error code, every text is scrubbed of
 * the account key, the SAS token and any {@code sig=} value, and the SDK exception is kept as a scrubbed copy with
 * its stack trace. Immutable; safe from any thread.
 */
final class AzureErrors {
    private static final Pattern SIG = Pattern.compile("(?i)(sig=)[^&\\s'\"<]+");
    private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

    private final String destination;
    private final Set<String> secrets;

    AzureErrors(String destination, Set<String> secrets) {
        this.destination = destination;
        this.secrets = Set.copyOf(secrets);
    }

    /** A failure of {@code op} on {@code key} ({@code null} for the container itself). */
    ReplicaException map(String op, String key, Throwable e) {
        ReplicaFailure kind = kind(e);
        return new ReplicaException(kind, where(key) + ": " + op + " failed: " + scrub(summary(e)), scrubbed(e));
    }

    /** A failure found by the client itself (a body of the wrong length, a bad metadata key). */
    ReplicaException of(ReplicaFailure kind, String op, String key, String problem) {
        return new ReplicaException(kind, where(key) + ": " + op + ": " + scrub(problem));
    }

    /** {@code abs://account@container/key}. */
    String where(String key) {
        return key == null || key.isEmpty() ? destination : destination + "/" + key;
    }

    /** The text with every secret and {@code sig=} value replaced by {@code ***}. */
    String scrub(String text) {
        if (text == null) {
            return "";
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, "***");
            out = out.replace(java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8), "***");
        }
        return SIG.matcher(out).replaceAll("$1***");
    }

    /** The HTTP status of the first service answer in the chain, or 0 when none answered. */
    static int status(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof HttpResponseException h && h.getResponse() != null) {
                return h.getResponse().getStatusCode();
            }
        }
        return 0;
    }

    static ReplicaFailure kind(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BlobStorageException b) {
                return status(b.getStatusCode(), b.getErrorCode());
            }
            if (c instanceof ClientAuthenticationException) {
                return ReplicaFailure.AUTH;
            }
            if (c instanceof HttpResponseException h && h.getResponse() != null) {
                return status(h.getResponse().getStatusCode(), null);
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof HttpTimeoutException || c instanceof TimeoutException) {
                return ReplicaFailure.UNAVAILABLE;
            }
            if (c instanceof IOException) {
                return ReplicaFailure.IO;
            }
        }
        return ReplicaFailure.IO;
    }

    /**
     * Azure's answers as retry logic needs them. Throttling is 503 ServerBusy and 500 OperationTimedOut (Azure
     * Storage's scalability targets), and 429 where a proxy answers; {@code If-None-Match: *} on an existing blob
     * is 409 BlobAlreadyExists.
     */
    static ReplicaFailure status(int status, BlobErrorCode code) {
        return switch (status) {
            case 401, 403 -> ReplicaFailure.AUTH;
            case 404 -> ReplicaFailure.NOT_FOUND;
            case 412 -> ReplicaFailure.PRECONDITION_FAILED;
            case 409 -> BlobErrorCode.BLOB_ALREADY_EXISTS.equals(code) ? ReplicaFailure.PRECONDITION_FAILED
                    : ReplicaFailure.INVALID;
            case 408 -> ReplicaFailure.UNAVAILABLE;
            case 429, 503 -> ReplicaFailure.THROTTLED;
            case 500 -> BlobErrorCode.OPERATION_TIMED_OUT.equals(code) ? ReplicaFailure.THROTTLED
                    : ReplicaFailure.UNAVAILABLE;
            default -> status >= 500 ? ReplicaFailure.UNAVAILABLE : ReplicaFailure.INVALID;
        };
    }

    /** Status and error code for service answers (their bodies can quote signed strings); else the exception. */
    private static String summary(Throwable e) {
        if (e instanceof BlobStorageException b) {
            String code = b.getErrorCode() == null ? "" : " " + b.getErrorCode();
            String text = b.getServiceMessage() == null ? "" : ": " + serviceMessage(b.getServiceMessage());
            return b.getStatusCode() + code + text;
        }
        if (e instanceof HttpResponseException h && h.getResponse() != null) {
            return h.getResponse().getStatusCode() + " " + firstLine(h.getMessage());
        }
        StringBuilder sb = new StringBuilder();
        for (Throwable c = e; c != null && sb.length() < 400; c = c.getCause()) {
            sb.append(sb.isEmpty() ? "" : "; caused by ").append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                sb.append(": ").append(firstLine(c.getMessage()));
            }
        }
        return sb.toString();
    }

    /** The {@code <Message>} of Azure's XML error body when there is one (its first line), else the first line. */
    private static String serviceMessage(String s) {
        java.util.regex.Matcher m = MESSAGE.matcher(s);
        return firstLine(m.find() ? m.group(1) : s);
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    /** A copy of {@code e} and its causes whose messages are scrubbed, with the original stack traces. */
    private Throwable scrubbed(Throwable e) {
        if (e == null) {
            return null;
        }
        Throwable copy = new ScrubbedCause(e.getClass().getName() + ": " + scrub(e.getMessage()),
                e.getCause() == e ? null : scrubbed(e.getCause()));
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }

    /** Stands in for an SDK exception whose message may hold a secret. */
    static final class ScrubbedCause extends Exception {
        private static final long serialVersionUID = 1L;

        ScrubbedCause(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
