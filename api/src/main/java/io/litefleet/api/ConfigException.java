package io.litefleet.api;

/**
 * Bad configuration: an unknown key, a missing key or a value that cannot be used. The message always names
 * where the setting came from (file and section), the key and the offending value, so it can be shown to a user
 * as it is. Unchecked: bad configuration is not something callers retry.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message is shown to the user verbatim. */
    public ConfigException(String message) {
        super(message);
    }

    /** Creates an exception whose message is shown to the user verbatim, keeping the underlying cause. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
