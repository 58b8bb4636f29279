package io.litefleet.core.cli;

import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.restore.Restorer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code litefleet verify -config FILE [--sample N | --prefix P | <db-path>]}: restores each chosen database's latest
 * state into a scratch directory, runs {@code integrity_check}, compares it with the source where the source is
 * there, and reports the restorable window. Exit 1 when any database failed. Without a selection, every database
 * the configured replicas hold ({@link FleetInventory}).
 */
@Command(name = "verify", description = {"Restore databases into a temporary directory, run integrity_check, compare "
        + "with the source where reachable and report each one's restorable window; exit 1 on any failure."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ConfigOption configOption = new ConfigOption();

    @Option(names = "--sample", paramLabel = "N", description = "Verify N databases chosen at random.")
    Integer sample;

    @Option(names = "--seed", paramLabel = "S", description = "The random seed of --sample (default: random, "
            + "printed so a run can be repeated).")
    Long seed;

    @Option(names = "--prefix", paramLabel = "P", description = "Verify the databases whose path starts with P.")
    String prefix;

    @Option(names = {"-replica", "--replica"}, paramLabel = "NAME", description = "The destination to verify, by "
            + "name (default: each database's first).")
    String replicaName;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory whose catalog maps fleet "
            + "replicas back to database paths (default: as replicate).")
    Path stateDir;

    @Option(names = {"-parallelism", "--parallelism"}, paramLabel = "N", description = "Databases verified at once "
            + "(default: min(4, cores)).")
    Integer parallelism;

    @Option(names = {"-json", "--json"}, description = "Print the report as JSON on stdout.")
    boolean json;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = PluginsDir.DESCRIPTION)
    Path pluginsDir;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<db-path>", description = "One database, by its path.")
    Path database;

    @Override
    public Integer call() throws IOException, InterruptedException {
        int given = (sample != null ? 1 : 0) + (prefix != null ? 1 : 0) + (database != null ? 1 : 0);
        if (given > 1) {
            throw new UserException("--sample, --prefix and <db-path> are mutually exclusive; give at most one");
        }
        if (sample != null && sample < 1) {
            throw new UserException("invalid --sample '" + sample + "': must be at least 1");
        }
        int threads = parallelism != null ? parallelism : Math.min(4, Runtime.getRuntime().availableProcessors());
        if (threads < 1) {
            throw new UserException("invalid --parallelism '" + threads + "': must be at least 1");
        }
        BulkSelection selection = prefix != null ? new BulkSelection.Prefix(prefix) : new BulkSelection.All();
        LitefleetConfig config = configOption.orDefault().load();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter log = json ? spec.commandLine().getErr() : out;
        Path scratch = Files.createTempDirectory("litefleet-verify");
        try (PluginRegistry registry = PluginRegistry.open(PluginsDir.resolve(pluginsDir));
             ReplicaClients clients = new ReplicaClients(registry)) {
            FleetInventory.Found found = FleetInventory.find(config, registry, clients,
                    Optional.ofNullable(replicaName), Optional.ofNullable(stateDir));
            found.problems().forEach(p -> spec.commandLine().getErr().println("litefleet: warning: " + p));
            List<BulkDatabase> chosen = choose(found.databases(), selection, log);
            DatabaseVerification v = new DatabaseVerification(clients,
                    Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT), scratch);
            List<DatabaseVerification.Verdict> verdicts = BoundedPool.map("verify", threads, chosen, db -> {
                DatabaseVerification.Verdict r = v.verify(db);
                synchronized (log) {
                    log.println(r.line());
                    log.flush();
                }
                return r;
            });
            long failed = verdicts.stream().filter(r -> !r.ok()).count();
            log.printf("verified %d databases: %d ok, %d failed%n", verdicts.size(), verdicts.size() - failed, failed);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("verified", verdicts.size());
                m.put("failed", failed);
                m.put("databases", verdicts.stream().map(DatabaseVerification.Verdict::json).toList());
                out.println(GoJson.object(m));
            }
            return failed > 0 ? 1 : 0;
        } finally {
            log.flush();
            DatabaseVerification.deleteTree(scratch);
        }
    }

    private List<BulkDatabase> choose(List<BulkDatabase> all, BulkSelection selection, PrintWriter log) {
        if (database != null) {
            Path wanted = database.toAbsolutePath().normalize();
            return List.of(all.stream().filter(d -> d.path().equals(wanted)).findFirst().orElseThrow(() ->
                    new UserException("no replica of " + wanted + " found through " + configOption.orDefault()
                            + " (its replicas hold " + all.size() + " databases)")));
        }
        List<BulkDatabase> chosen = all.stream().filter(d -> selection.matches(d.path())).toList();
        if (chosen.isEmpty()) {
            throw new UserException("no database to verify: " + (prefix != null ? "none matches --prefix " + prefix
                    : "the configured replicas hold none"));
        }
        if (sample == null || sample >= chosen.size()) {
            return chosen;
        }
        long s = seed != null ? seed : new Random().nextLong();
        log.println("sampling " + sample + " of " + chosen.size() + " databases (--seed " + s + ")");
        List<BulkDatabase> shuffled = new ArrayList<>(chosen);
        Collections.shuffle(shuffled, new Random(s));
        return shuffled.subList(0, sample);
    }
}
