package io.litefleet.core.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code litefleet register}: adds a database to the running daemon (control socket). */
@Command(name = "register", description = {"Register a database for replication with the running daemon.",
    "  litefleet register -replica URL [-timeout SECONDS] [-socket PATH] [-json] DB_PATH"})
final class RegisterCommand extends ControlCall implements Callable<Integer> {
    @Option(names = {"-replica", "--replica"}, paramLabel = "URL", description = "Replica destination URL "
            + "(e.g. s3://bucket/prefix, file:///backup/path). Required.")
    String replica;

    @Override
    public Integer call() throws Exception {
        String db = dbPath("register -replica s3://bucket/prefix");
        if (replica == null || replica.isEmpty()) {
            throw new UserException("-replica is required\nTry: litefleet register -replica s3://bucket/prefix "
                    + "/path/to/db");
        }
        positive(timeout());
        Map<String, Object> r = call("register", "POST", "/register", Map.of("path", db, "replica_url", replica),
                timeout());
        Map<String, Object> out = new LinkedHashMap<>();
        String status = text(r, "status");
        out.put("status", json || !status.equals("already_registered") ? status : "already registered");
        out.put("db_path", text(r, "path"));
        out.put("replica", replica);
        out.put("socket", socket.toString());
        print(out);
        return 0;
    }
}
