package io.litefleet.core.cli;

import io.litefleet.api.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns expected failures (bad input, bad config, I/O problems) into one clear line on stderr and exit code 1;
 * only bugs print a stack trace.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        if (ex instanceof ConfigException || ex instanceof IOException || ex instanceof UncheckedIOException
                || ex instanceof UserException) {
            cmd.getErr().println("litefleet: " + ex.getMessage());
            return 1;
        }
        cmd.getErr().println("litefleet: internal error (please report): " + ex);
        ex.printStackTrace(cmd.getErr());
        return 70;
    }
}
