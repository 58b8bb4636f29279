package io.litefleet.core.http;

/** A request the API refuses: answered with {@link #status()} and this message, never logged as a failure. */
final class BadRequest extends RuntimeException {
    private final int status;

    BadRequest(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
