package io.litefleet.core.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code litefleet start}: starts replicating a database the daemon stopped (control socket). */
@Command(name = "start", description = {"Start replication for a database (through the daemon's control socket).",
    "  litefleet start [-timeout SECONDS] [-socket PATH] [-json] DB_PATH"})
final class StartCommand extends ControlCall implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        return startStop(this, "start", "running", dbPath("start"), timeout());
    }

    /** {@code start} and {@code stop}: the same request and output, upstream's. */
    static int startStop(ControlCall c, String what, String state, String db, int timeout) throws Exception {
        int t = timeout > 0 ? timeout : 30;
        Map<String, Object> r = c.call(what, "POST", "/" + what, Map.of("path", db, "timeout", t), t);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", text(r, "status"));
        out.put("db_path", text(r, "path"));
        out.put("state", state);
        out.put("txid", number(r, "txid"));
        out.put("socket", c.socket.toString());
        c.print(out);
        return 0;
    }
}
