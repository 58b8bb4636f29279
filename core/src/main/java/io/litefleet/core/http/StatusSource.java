package io.litefleet.core.http;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the status API reads and does, from the catalog and the engine's memory only: none of these sends a storage
 * request. Implementations are thread-safe (the endpoint's threads call them at once).
 */
public interface StatusSource {
    /**
     * One page of databases matching {@code query}, ordered by path.
     *
     * @return the page, and whether more databases follow it
     */
    DatabasePage list(DatabaseQuery query) throws Exception;

    /** One database, empty when neither the catalog nor the fleet knows it. */
    Optional<DatabaseView> get(Path db) throws Exception;

    /** The promotion hint for {@code db}. */
    PromoteOutcome promote(Path db) throws Exception;

    /** {@code /healthz}: an empty list when healthy, else one reason per problem. */
    List<String> unhealthy() throws Exception;

    /** {@code /readyz}: empty once ready, else why not. */
    Optional<String> notReady();

    /** {@code /v1/fleet}: counts and settings, as a JSON object. */
    Map<String, Object> summary() throws Exception;

    /**
     * {@code /v1/cluster/owners}: one page of who owns what, from the coordinator (a request to it), in location
     * order after {@code after}; empty when no {@code cluster:} section is configured.
     *
     * @param after the last location of the previous page, or the empty string
     * @param limit the most owners returned
     */
    default Optional<OwnersPage> owners(String after, int limit) throws Exception {
        return Optional.empty();
    }

    /**
     * A page of owners.
     *
     * @param instance this instance's id
     * @param owners   who owns what, by location; shorter than the limit on the last page
     */
    record OwnersPage(String instance, List<io.litefleet.api.cluster.Owner> owners) {
        /** Copies. */
        public OwnersPage {
            java.util.Objects.requireNonNull(instance, "instance");
            owners = List.copyOf(owners);
        }
    }

    /**
     * A page of databases.
     *
     * @param databases the databases, ordered by path
     * @param more      whether more follow the last one
     */
    record DatabasePage(List<DatabaseView> databases, boolean more) {
        /** Copies. */
        public DatabasePage {
            databases = List.copyOf(databases);
        }
    }

    /** What the promotion hint did. */
    enum PromoteOutcome {
        /** Queued: the fleet promotes it at its next step, as the tiering policy would (cap and eviction hold). */
        ACCEPTED,
        /** Hot already (databases listed under dbs: always are). */
        ALREADY_HOT,
        /** Neither the catalog nor the fleet knows it. */
        UNKNOWN,
        /** The fleet cannot stream it: deleted, excluded or held by another instance. */
        NOT_PROMOTABLE
    }
}
