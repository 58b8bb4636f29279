package io.litefleet.core.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The subcommands by name, so that a command line builds the model of the one it runs only. Picocli reads every
 * registered command's annotations by reflection when the command line is built; for all of {@link Main}'s
 * subcommands that was most of a short command's start (start time, issue 13). This is the one list of them:
 * {@link #full} registers them all.
 */
final class Subcommands {

    /** Every subcommand by name, in the order the usage lists them ({@code help}, which needs them all, comes last). */
    static final Map<String, Class<?>> BY_NAME = ordered(
            "demo", DemoCommand.class, "replicate", ReplicateCommand.class, "restore", RestoreCommand.class,
            "databases", DatabasesCommand.class, "version", VersionCommand.class, "ltx", LtxCommand.class,
            "plugins", PluginsCommand.class, "status", StatusCommand.class, "sync", SyncCommand.class,
            "register", RegisterCommand.class, "unregister", UnregisterCommand.class, "start", StartCommand.class,
            "stop", StopCommand.class, "reset", ResetCommand.class, "info", InfoCommand.class,
            "list", ListCommand.class, "verify", VerifyCommand.class, "config", ConfigCommand.class,
            "prune", PruneCommand.class, "snapshot", SnapshotCommand.class);

    private Subcommands() {
    }

    /**
     * The command line for {@code args}: when the first argument names a subcommand, that one alone under a top
     * level like {@link Main}'s; otherwise (no arguments, top-level options, {@code help}, an unknown name) the full
     * {@link Main}, whose usage and suggestions list every subcommand.
     */
    static CommandLine commandLine(String[] args) {
        Class<?> one = args.length > 0 ? BY_NAME.get(args[0]) : null;
        if (one == null) {
            return full();
        }
        CommandLine cli = new CommandLine(new Top());
        cli.addSubcommand(args[0], one);
        return cli;
    }

    /** {@link Main} with every subcommand and {@code help}. */
    static CommandLine full() {
        CommandLine cli = new CommandLine(new Main());
        BY_NAME.forEach(cli::addSubcommand);
        cli.addSubcommand("help", new CommandLine.HelpCommand());
        return cli;
    }

    private static Map<String, Class<?>> ordered(Object... nameThenClass) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (int i = 0; i < nameThenClass.length; i += 2) {
            byName.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(byName);
    }

    /** {@link Main}'s top level without its subcommands: the same name, standard options, scope and version. */
    @Command(name = "litefleet", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
            versionProvider = Main.Version.class)
    static final class Top implements Runnable {
        @Override
        public void run() {
            throw new IllegalStateException("a subcommand is always given");
        }
    }
}
