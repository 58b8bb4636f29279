package io.litefleet.core.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code litefleet sync}: ships what a database has committed now, through the running daemon's control socket.
 * With {@code -wait} it returns once the replica holds it (before a deploy or a shutdown). Our sync has no local
 * stage, so without {@code -wait} it also returns after the upload; only the output differs, as upstream's.
 */
@Command(name = "sync", description = {"Force an immediate sync for a database (through the daemon's control "
        + "socket).", "  litefleet sync [-wait] [-timeout SECONDS] [-socket PATH] [-json] DB_PATH"})
final class SyncCommand extends ControlCall implements Callable<Integer> {
    @Option(names = {"-wait", "--wait"}, description = "Block until the replica holds what is committed now.")
    boolean wait;

    @Override
    public Integer call() throws Exception {
        String db = dbPath("sync");
        positive(timeout());
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("path", db);
        req.put("wait", wait);
        req.put("timeout", timeout());
        long start = System.nanoTime();
        Map<String, Object> r = call("sync", "POST", "/sync", req, timeout());
        long ms = (System.nanoTime() - start) / 1_000_000;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("db_path", text(r, "path"));
        out.put("txid", number(r, "txid"));
        if (wait) {
            out.put("replica_txid", number(r, "replicated_txid"));
        }
        out.put("duration_ms", ms);
        print(out);
        return 0;
    }
}
