package io.litefleet.core.cli;

import io.litefleet.core.Litefleet;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code litefleet} command line. */
// The subcommands are in Subcommands.BY_NAME: a command line registers only the one it runs (Subcommands.full()
// registers them all, for usage, help and suggestions).
// scope INHERIT: every subcommand takes -h/--help (its usage, exit 0) and -V/--version, as the top level does.
@Command(name = "litefleet", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Main.Version.class,
        description = "Continuous replication of fleets of SQLite databases (Litestream v0.5 compatible).")
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Entry point. */
    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %5$s%6$s%n");
        }
        if (System.getProperty("http.maxConnections") == null) {
            // The JDK's HTTP keep-alive cache (the S3 and GCS clients) keeps 5 idle connections per host by default:
            // with more uploads at once, each extra one opened and closed a connection. Keep as many as run at once.
            System.setProperty("http.maxConnections",
                    Integer.toString(io.litefleet.core.fleet.SyncScheduler.MAX_UPLOADS_PER_DESTINATION));
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /**
     * Runs the command line writing to {@code out} and {@code err} (null: standard output and error) and returns
     * the exit code. The writers are flushed, not closed.
     */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        boolean wal = args.length > 0 && args[0].equals("wal"); // upstream's deprecated name of ltx
        if (wal) {
            args = args.clone();
            args[0] = "ltx";
        }
        CommandLine cli = Subcommands.commandLine(args);
        if (wal) {
            (err == null ? cli.getErr() : err).println("Warning: 'wal' command is deprecated, please use 'ltx' instead");
        }
        cli.setExecutionExceptionHandler(new ErrorHandler());
        // A bad flag, value or command exits 1 as upstream's does (picocli's default is 2), after saying what was
        // wrong and printing the usage.
        CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, rest) -> {
            usage.handleParseException(e, rest);
            return 1;
        });
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        try {
            return cli.execute(args);
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"litefleet " + Litefleet.version()};
        }
    }
}
