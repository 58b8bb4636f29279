package io.litefleet.core.cli;

import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.Owner;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code litefleet databases --cluster}: every database the cluster's coordinator records an owner for, with that
 * owner and its fencing token, read a page of {@link #PAGE} at a time (one request each), so a fleet of any size
 * lists in bounded memory.
 */
final class ClusterOwners {
    /** Owners read per request. */
    static final int PAGE = 1000;

    private ClusterOwners() {
    }

    /**
     * Prints the owners in location order: a table ({@code INSTANCE TOKEN PATH -> LOCATION}) ending in a count, or
     * with {@code json} one object per line.
     *
     * @return how many owners were printed
     * @throws CoordinationException when the coordination service cannot be read (the message says which request)
     */
    static long print(Coordinator coordinator, PrintWriter out, boolean json) throws CoordinationException {
        if (!json) {
            out.printf("%-20s %12s %s%n", "INSTANCE", "TOKEN", "PATH -> LOCATION");
        }
        long count = 0;
        Set<String> instances = new HashSet<>();
        String after = "";
        List<Owner> page;
        do {
            page = coordinator.owners(after, PAGE);
            for (Owner o : page) {
                instances.add(o.instance());
                if (json) {
                    out.println("{\"path\":" + DatabasesCommand.quote(o.dbPath()) + ",\"location\":"
                            + DatabasesCommand.quote(o.location()) + ",\"instance\":"
                            + DatabasesCommand.quote(o.instance()) + ",\"token\":" + o.token() + "}");
                } else {
                    out.printf("%-20s %12d %s -> %s%n", o.instance(), o.token(), o.dbPath(), o.location());
                }
            }
            count += page.size();
            if (!page.isEmpty()) {
                after = page.getLast().location();
            }
        } while (page.size() == PAGE);
        if (!json) {
            out.printf("%d database(s) owned by %d instance(s); this is %s%n", count, instances.size(),
                    coordinator.instanceId());
        }
        out.flush();
        return count;
    }
}
