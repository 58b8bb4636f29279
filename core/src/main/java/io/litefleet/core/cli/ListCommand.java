package io.litefleet.core.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code litefleet list}: the databases the running daemon manages, with status and last sync (control socket). */
@Command(name = "list", description = {"List all managed databases from a running daemon (ours or Litestream's).",
    "  litefleet list [-socket PATH] [-timeout SECONDS] [-json]"})
final class ListCommand extends ControlCall implements Callable<Integer> {
    @Override
    int defaultTimeout() {
        return 10;
    }

    @Override
    public Integer call() throws Exception {
        Optional<Map<String, Object>> answer = query("list");
        if (answer.isEmpty()) {
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        List<?> dbs = answer.get().get("databases") instanceof List<?> l ? l : List.of();
        if (dbs.isEmpty()) {
            out.println("No databases configured");
        }
        for (Object o : dbs) {
            if (o instanceof Map<?, ?> m) {
                Object at = m.get("last_sync_at");
                out.println(m.get("path") + " [" + m.get("status") + "] (last sync: " + (at == null ? "never"
                        : rfc3339(at.toString())) + ")");
            }
        }
        out.flush();
        return 0;
    }
}
