package io.litefleet.core.cli;

import io.litefleet.core.replica.LtxFileRef;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A replica's LTX files as upstream's {@code litestream ltx} prints them: columns {@code level min_txid max_txid size
 * created} aligned as Go's {@code tabwriter} (minimum width 0, padding 2) aligns them, or with {@code -json} an array
 * of {@code {level, min_txid, max_txid, size, timestamp}}. Times are RFC 3339 in UTC, to the second.
 */
final class LtxListing {
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX")
            .withZone(ZoneOffset.UTC);

    private LtxListing() {
    }

    /** Go's {@code time.RFC3339} of {@code t} in UTC. */
    static String rfc3339(Instant t) {
        return RFC3339.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * Prints {@code files} (in the order given) as a table or as JSON.
     */
    static void print(PrintWriter out, List<LtxFileRef> files, boolean json) {
        if (json) {
            List<Map<String, Object>> items = new ArrayList<>();
            for (LtxFileRef f : files) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("level", f.level());
                m.put("min_txid", String.format("%016x", f.minTxid()));
                m.put("max_txid", String.format("%016x", f.maxTxid()));
                m.put("size", f.size());
                m.put("timestamp", rfc3339(f.createdAt()));
                items.add(m);
            }
            out.println(GoJson.array(items));
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"level", "min_txid", "max_txid", "size", "created"});
        for (LtxFileRef f : files) {
            rows.add(new String[] {Integer.toString(f.level()), String.format("%016x", f.minTxid()),
                String.format("%016x", f.maxTxid()), Long.toString(f.size()), rfc3339(f.createdAt())});
        }
        int[] width = new int[4]; // the last column is not padded, as tabwriter leaves a line's trailing cell
        for (String[] r : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], r[i].length() + 2);
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                b.append(r[i]).append(" ".repeat(width[i] - r[i].length()));
            }
            out.println(b.append(r[4]));
        }
    }
}
