package io.litefleet.core.cli;

import io.litefleet.core.FleetPreview;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.control.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code litefleet config}: only {@code check} for now. */
@Command(name = "config", description = "Work with the configuration file.", subcommands = ConfigCommand.Check.class)
final class ConfigCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "config needs a subcommand: check");
    }

    /**
     * {@code litefleet config check}: validates the configuration as the daemon does at start, then lists every
     * database it replicates now ({@code dbs:} entries and what the fleet's patterns and directory entries find),
     * each with its replica URLs, and the databases found but not replicated, with the reason (left out, replica
     * path unusable, replica path collision). Nothing is replicated and no storage is touched. Exit 0 when the
     * configuration is valid and nothing collides, 1 otherwise.
     */
    @Command(name = "check", description = {"Validate the configuration and list the databases it replicates now, "
            + "with their replicas, collisions and refusals; starts nothing, touches no storage.",
        "  litefleet config check [-config PATH] [-no-expand-env] [-json]"})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        ConfigOption configOption = new ConfigOption();

        @CommandLine.Mixin
        DirOptions dirs = new DirOptions();

        @Option(names = {"-json", "--json"}, description = "One JSON object: config, valid, databases, counts.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            ConfigFile file = configOption.orDefault();
            List<FleetPreview.Found> found;
            List<String> warnings;
            try {
                LitefleetConfig c = file.load();
                Path state = dirs.state(c);
                try (FleetPreview preview = FleetPreview.open(c, state, dirs.plugins())) {
                    found = preview.scan();
                    warnings = preview.warnings();
                }
            } catch (io.litefleet.api.ConfigException e) {
                if (!json) {
                    throw e;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("config", file.path().toString());
                m.put("valid", false);
                m.put("error", e.getMessage());
                spec.commandLine().getOut().println(Json.writeIndented(m));
                spec.commandLine().getOut().flush();
                return 1;
            }
            long refused = found.stream().filter(f -> f.refusal().isPresent()).count();
            long collided = found.stream().filter(f -> f.refusal().map(r -> r.startsWith("replica path collision"))
                    .orElse(false)).count();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("config", file.path().toString());
                m.put("valid", true);
                m.put("replicated", found.size() - refused);
                m.put("refused", refused);
                m.put("collisions", collided);
                m.put("warnings", warnings);
                m.put("databases", found.stream().map(Check::row).toList());
                out.println(Json.writeIndented(m));
            } else {
                for (FleetPreview.Found f : found) {
                    out.println(f.path() + "  [" + f.source() + "]");
                    f.replicas().forEach(r -> out.println("    -> " + r));
                    f.refusal().ifPresent(r -> out.println("    NOT REPLICATED: " + r));
                }
                warnings.forEach(w -> out.println("warning: " + w));
                out.printf("%s: valid; %d database(s) replicated, %d not replicated (%d in replica path "
                        + "collisions)%n", file.path(), found.size() - refused, refused, collided);
            }
            out.flush();
            return collided > 0 ? 1 : 0;
        }

        private static Map<String, Object> row(FleetPreview.Found f) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", f.path().toString());
            m.put("source", f.source());
            m.put("replicas", f.replicas());
            f.refusal().ifPresent(r -> m.put("refused", r));
            return m;
        }
    }
}
