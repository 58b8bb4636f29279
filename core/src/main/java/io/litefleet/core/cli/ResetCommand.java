package io.litefleet.core.cli;

import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.ReplicaPosition;
import io.litefleet.core.state.StateLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code litefleet reset}: upstream's reset clears a database's local replication state so the next sync starts a
 * fresh snapshot; ours forgets the positions the state directory's catalog recorded for it, with the same effect
 * (the next sync captures the whole database as the TXID after the replica's last). The database and the replica
 * are not touched. Refused while a replicate process holds the database (its lock names the pid).
 */
@Command(name = "reset", description = {"Clear local replication state for a database: the next sync starts a "
        + "fresh snapshot.", "  litefleet reset [-config PATH] [-no-expand-env] [--state-dir DIR] [-dry-run] DB_PATH"})
final class ResetCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    ConfigOption configOption = new ConfigOption();

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory.")
    Path stateDir;

    @Option(names = {"-dry-run", "--dry-run"}, description = "Print the state that would be removed without "
            + "removing it.")
    boolean dryRun;

    @Parameters(arity = "0..*", paramLabel = "DB_PATH", hidden = true)
    List<String> args = new java.util.ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.isEmpty()) {
            throw new UserException("database path required\nTry: litefleet reset /path/to/db");
        }
        if (args.size() > 1) {
            throw new UserException("too many arguments");
        }
        Path db = Path.of(args.get(0)).toAbsolutePath().normalize();
        Optional<Path> fromConfig = Optional.empty();
        Optional<ConfigFile> given = configOption.given();
        if (given.isPresent()) {
            LitefleetConfig c = given.get().load();
            fromConfig = c.fleet().flatMap(FleetConfig::stateDir).or(c::stateDir);
        }
        if (!Files.exists(db)) {
            throw new UserException("database does not exist: " + db);
        }
        Path state = StateDirs.resolve(stateDir, fromConfig);
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isRegularFile(state.resolve(Catalog.FILE_NAME))) {
            out.println("No local state to reset for " + db);
            out.println("State directory has no catalog: " + state);
            out.flush();
            return 0;
        }
        try (StateLock lock = StateLock.acquire(state, List.of(db), false); Catalog catalog = Catalog.open(state)) {
            List<ReplicaPosition> rows = catalog.all().stream().filter(p -> p.dbPath().equals(db.toString()))
                    .toList();
            if (rows.isEmpty()) {
                out.println("No local state to reset for " + db);
            } else if (dryRun) {
                out.println("Dry run: local state would be reset for: " + db);
                rows.forEach(p -> out.printf("Would forget: position TXID %016x at %s (%s)%n", p.txid(),
                        p.replica(), state.resolve(Catalog.FILE_NAME)));
                out.println("Nothing was removed.");
            } else {
                out.println("Resetting local state for: " + db);
                rows.forEach(p -> out.printf("Forgetting: position TXID %016x at %s%n", p.txid(), p.replica()));
                catalog.remove(db.toString());
                out.println("Reset complete. Next replication sync will create a fresh snapshot.");
            }
        }
        out.flush();
        return 0;
    }
}
