package io.litefleet.core.cli;

import io.litefleet.api.Settings;
import io.litefleet.core.FleetPreview;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.control.Json;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.StateLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code litefleet prune}: the tenant deletion lifecycle. The fleet records in the catalog when a database file
 * disappeared (and clears it when the file comes back); prune deletes every object under the replica path, at every
 * destination, of the databases gone longer than {@code --deleted-for}, then forgets them. Each database is stat-ed
 * right before its replicas are deleted: one that exists again is left alone. It takes the state directory to itself
 * (as a fleet daemon does), so it never runs beside a daemon that could start replicating a returning database;
 * {@code --dry-run} only lists, needs no lock and deletes nothing.
 */
@Command(name = "prune", description = {"Delete the replicas of databases deleted longer ago than --deleted-for "
        + "(the tenant deletion lifecycle), then forget them in the catalog.",
    "  litefleet prune [-config PATH] --deleted-for 30d [--dry-run] [--json]"})
final class PruneCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption configOption = new ConfigOption();

    @Option(names = {"-deleted-for", "--deleted-for"}, required = true, paramLabel = "DURATION",
            description = "Only databases gone at least this long: 30d, 12h, 90m, 1h30m or ISO-8601 (PT12H).")
    String deletedFor;

    @Option(names = {"-dry-run", "--dry-run"}, description = "List what would be deleted (objects and bytes per "
            + "replica) without deleting.")
    boolean dryRun;

    @Option(names = {"-json", "--json"}, description = "One JSON object: dry_run, deleted_for, databases, counts.")
    boolean json;

    @CommandLine.Mixin
    DirOptions dirs = new DirOptions();

    /** The time ages are measured against (tests replace it). */
    Clock clock = Clock.systemUTC();

    /** What happened to one gone database. */
    private record Outcome(Catalog.Gone gone, List<FleetPreview.Removal> removals, String status,
                           Optional<String> error) {
    }

    @Override
    public Integer call() throws IOException {
        Duration age = Settings.parseDuration(deletedFor).orElseThrow(() -> new UserException("--deleted-for: "
                + "expected a duration such as 30d, 12h, 90m or 1h30m, got '" + deletedFor + "'"));
        LitefleetConfig c = configOption.orDefault().load();
        Path state = dirs.state(c);
        if (!Files.isRegularFile(state.resolve(Catalog.FILE_NAME))) {
            throw new UserException(state + ": no catalog here (nothing replicated with this state directory yet)");
        }
        List<Outcome> outcomes = new ArrayList<>();
        try (StateLock lock = dryRun ? null : alone(state);
             Catalog catalog = Catalog.open(state);
             FleetPreview preview = FleetPreview.open(c, state, dirs.plugins())) {
            for (Catalog.Gone g : catalog.deletedBefore(clock.instant().minus(age))) {
                outcomes.add(prune(g, catalog, preview));
            }
        }
        print(age, outcomes);
        return outcomes.stream().anyMatch(o -> o.error().isPresent()) ? 1 : 0;
    }

    private static StateLock alone(Path state) throws IOException {
        try {
            return StateLock.acquire(state);
        } catch (IOException e) {
            throw new UserException("prune needs the state directory to itself (so a database that comes back is "
                    + "not replicated while its replica is deleted); stop the daemon first, or use --dry-run: "
                    + e.getMessage());
        }
    }

    private Outcome prune(Catalog.Gone g, Catalog catalog, FleetPreview preview) {
        Path db = Path.of(g.path());
        if (Files.exists(db)) {
            return new Outcome(g, List.of(), "kept: the database exists again", Optional.empty());
        }
        try {
            List<FleetPreview.Removal> removals = preview.removeReplicas(db, g.replicas(), dryRun,
                    () -> !Files.exists(db));
            if (dryRun) {
                return new Outcome(g, removals, "would delete", Optional.empty());
            }
            if (removals.stream().anyMatch(r -> r.skipped().isPresent())) {
                return new Outcome(g, removals, "kept in the catalog: a replica was skipped", Optional.empty());
            }
            catalog.forget(g.path());
            return new Outcome(g, removals, "deleted", Optional.empty());
        } catch (IOException | RuntimeException e) {
            return new Outcome(g, List.of(), "failed", Optional.of(String.valueOf(e.getMessage())));
        }
    }

    private void print(Duration age, List<Outcome> outcomes) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dry_run", dryRun);
            m.put("deleted_for", deletedFor);
            m.put("databases", outcomes.stream().map(PruneCommand::row).toList());
            m.put("failed", outcomes.stream().filter(o -> o.error().isPresent()).count());
            out.println(Json.writeIndented(m));
        } else {
            for (Outcome o : outcomes) {
                out.println(o.gone().path() + "  (gone since " + o.gone().deletedAt() + "): " + o.status()
                        + o.error().map(e -> ": " + e).orElse(""));
                for (FleetPreview.Removal r : o.removals()) {
                    out.println("    " + r.replica() + ": " + r.objects() + " object(s), " + r.bytes() + " bytes"
                            + r.skipped().map(s -> " (skipped: " + s + ")").orElse(""));
                }
            }
            out.printf("%d database(s) gone for more than %s%s%n", outcomes.size(), deletedFor,
                    dryRun ? " (dry run: nothing deleted)" : "");
        }
        out.flush();
    }

    private static Map<String, Object> row(Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", o.gone().path());
        m.put("deleted_at", o.gone().deletedAt().toString());
        m.put("status", o.status());
        o.error().ifPresent(e -> m.put("error", e));
        List<Object> replicas = new ArrayList<>();
        for (FleetPreview.Removal r : o.removals()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("replica", r.replica());
            x.put("objects", r.objects());
            x.put("bytes", r.bytes());
            r.skipped().ifPresent(s -> x.put("skipped", s));
            replicas.add(x);
        }
        m.put("replicas", replicas);
        return m;
    }
}
