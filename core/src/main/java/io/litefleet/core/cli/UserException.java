package io.litefleet.core.cli;

/** A command failed because of its input; the message is shown to the user as it is. */
final class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserException(String message) {
        super(message);
    }
}
