package io.litefleet.core.cli;

import io.litefleet.core.config.LoggingConfig;
import java.util.Locale;
import java.util.Optional;

/** Upstream's {@code -log-level} values, and the logging config they override. Stateless. */
final class LogLevels {
    private LogLevels() {
    }

    /**
     * The level {@code -log-level} names, else the one {@code $LOG_LEVEL} names (upstream reads that variable, and
     * its {@code -log-level} sets it); empty when neither is given. A bad flag is an error; a bad variable, which
     * may be meant for another program, is reported on standard error and ignored.
     */
    static Optional<System.Logger.Level> parse(String flag, String environment) {
        if (flag != null) {
            return parse(flag);
        }
        if (environment == null || environment.isBlank()) {
            return Optional.empty();
        }
        try {
            return parse(environment);
        } catch (UserException e) {
            System.err.println("litefleet: ignoring $LOG_LEVEL '" + environment + "': must be trace, debug, info, "
                    + "warn or error");
            return Optional.empty();
        }
    }

    /** The level {@code -log-level} names; empty when the flag is absent. */
    static Optional<System.Logger.Level> parse(String flag) {
        if (flag == null) {
            return Optional.empty();
        }
        return Optional.of(switch (flag.toLowerCase(Locale.ROOT)) {
            case "trace" -> System.Logger.Level.TRACE;
            case "debug" -> System.Logger.Level.DEBUG;
            case "info" -> System.Logger.Level.INFO;
            case "warn", "warning" -> System.Logger.Level.WARNING;
            case "error" -> System.Logger.Level.ERROR;
            default -> throw new UserException("invalid -log-level '" + flag + "': must be trace, debug, info, warn "
                    + "or error");
        });
    }

    /** {@code config} with its level replaced by {@code level}, when given. */
    static LoggingConfig override(LoggingConfig config, Optional<System.Logger.Level> level) {
        return level.map(config::atLevel).orElse(config);
    }
}
