package io.litefleet.core.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code litefleet unregister}: removes a database from the running daemon after its final sync. */
@Command(name = "unregister", description = {"Unregister a database from the running daemon (its final sync runs "
        + "first).", "  litefleet unregister [-timeout SECONDS] [-socket PATH] [-dry-run] [-json] DB_PATH"})
final class UnregisterCommand extends ControlCall implements Callable<Integer> {
    @Option(names = {"-dry-run", "--dry-run"}, description = "Preview what would be unregistered without changing "
            + "the daemon.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        String db = dbPath("unregister");
        positive(timeout());
        if (dryRun) {
            PrintWriter out = spec.commandLine().getOut();
            out.println("Dry run: unregister request preview");
            out.println("  database: " + db);
            out.println("  socket: " + socket);
            out.println("  replicas: daemon-managed replica for this database");
            out.println("  final sync: the daemon syncs the database to its replicas before the command completes");
            out.println("  timeout: " + timeout() + "s");
            out.println("No unregister request was sent.");
            out.flush();
            return 0;
        }
        Map<String, Object> r = call("unregister", "POST", "/unregister", Map.of("path", db, "timeout", timeout()),
                timeout());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", text(r, "status"));
        out.put("db_path", text(r, "path"));
        out.put("final_txid", number(r, "txid"));
        out.put("socket", socket.toString());
        print(out);
        return 0;
    }
}
