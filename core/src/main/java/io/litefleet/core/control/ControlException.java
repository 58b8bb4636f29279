package io.litefleet.core.control;

/** A control request that cannot be served: the HTTP status and the message the client shows. */
public final class ControlException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    /** A failure answered with {@code status} (404 unknown database, 409 conflict, 504 timeout, 500 other). */
    public ControlException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** 404: {@code db} is not replicated here (upstream's wording). */
    public static ControlException notFound(java.nio.file.Path db) {
        return new ControlException(404, "database not found: " + db);
    }
}
