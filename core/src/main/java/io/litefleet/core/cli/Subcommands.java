package io.litefleet.core.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The subcommands by name, so that a command line builds the model of the one it runs only. Picocli reads every
 * registered command's annotations by reflection when the command line is built; for all of {@link Main}'s
 * subcommands that was most of a short command's start (start time, issue 13). Must list what {@link Main}'s
 * {@code subcommands} lists (a test compares them).
 */
final class Subcommands {

    static final Map<String, Class<?>> BY_NAME = Map.ofEntries(Map.entry("demo", DemoCommand.class),
            Map.entry("replicate", ReplicateCommand.class), Map.entry("restore", RestoreCommand.class),
            Map.entry("databases", DatabasesCommand.class), Map.entry("version", VersionCommand.class),
            Map.entry("ltx", LtxCommand.class), Map.entry("plugins", PluginsCommand.class),
            Map.entry("status", StatusCommand.class), Map.entry("sync", SyncCommand.class),
            Map.entry("register", RegisterCommand.class), Map.entry("unregister", UnregisterCommand.class),
            Map.entry("start", StartCommand.class), Map.entry("stop", StopCommand.class),
            Map.entry("reset", ResetCommand.class), Map.entry("info", InfoCommand.class),
            Map.entry("list", ListCommand.class), Map.entry("verify", VerifyCommand.class),
            Map.entry("config", ConfigCommand.class), Map.entry("prune", PruneCommand.class),
            Map.entry("snapshot", SnapshotCommand.class));

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
            return new CommandLine(new Main());
        }
        CommandLine cli = new CommandLine(new Top());
        cli.addSubcommand(args[0], one);
        return cli;
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
