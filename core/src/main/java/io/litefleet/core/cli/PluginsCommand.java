package io.litefleet.core.cli;

import io.litefleet.core.plugin.PluginInfo;
import io.litefleet.core.plugin.PluginRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code litefleet plugins}: which providers were loaded, from where. */
@Command(name = "plugins", description = "List the replica, discovery and tiering plugins and where they came from.")
final class PluginsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = PluginsDir.DESCRIPTION)
    Path pluginsDir;

    @Option(names = {"-json", "--json"}, description = "One JSON object: plugins [{kind, type, class, origin}], "
            + "notes.")
    boolean json;

    @Option(names = "--write-index", description = "Also write plugin.index into each plugin directory: the types "
            + "and URL schemes it provides, so other commands open a directory only when they need one of them. "
            + "Run it after adding or replacing a plugin (a directory whose jars no longer match its index is "
            + "opened at every start, as one without an index is).")
    boolean writeIndex;

    @Override
    public Integer call() {
        try (PluginRegistry registry = PluginRegistry.open(PluginsDir.resolve(pluginsDir))) {
            List<Path> indexes = writeIndex ? registry.writeIndexes() : List.of();
            indexes.forEach(f -> spec.commandLine().getErr().println("wrote " + f));
            spec.commandLine().getErr().flush();
            if (json) {
                printJson(spec.commandLine().getOut(), registry.plugins(), registry.notes());
            } else {
                print(spec.commandLine().getOut(), registry.plugins(), registry.notes());
            }
        }
        return 0;
    }

    static void printJson(PrintWriter out, List<PluginInfo> plugins, List<String> notes) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("plugins", plugins.stream().map(p -> {
            java.util.Map<String, Object> x = new java.util.LinkedHashMap<>();
            x.put("kind", p.kind().label());
            x.put("type", p.type());
            x.put("class", p.className());
            x.put("origin", p.origin());
            return x;
        }).toList());
        m.put("notes", notes);
        out.println(io.litefleet.core.control.Json.writeIndented(m));
        out.flush();
    }

    static void print(PrintWriter out, List<PluginInfo> plugins, List<String> notes) {
        int kindWidth = Math.max(4, plugins.stream().mapToInt(p -> p.kind().label().length()).max().orElse(0));
        int typeWidth = Math.max(4, plugins.stream().mapToInt(p -> p.type().length()).max().orElse(0));
        int classWidth = Math.max(5, plugins.stream().mapToInt(p -> p.className().length()).max().orElse(0));
        String format = "%-" + kindWidth + "s  %-" + typeWidth + "s  %-" + classWidth + "s  %s%n";
        out.printf(format, "KIND", "TYPE", "CLASS", "ORIGIN");
        for (PluginInfo p : plugins) {
            out.printf(format, p.kind().label(), p.type(), p.className(), p.origin());
        }
        for (String note : notes) {
            out.println("note: " + note);
        }
        out.flush();
    }
}
