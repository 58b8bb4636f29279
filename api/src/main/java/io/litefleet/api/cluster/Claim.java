package io.litefleet.api.cluster;

import java.util.Objects;

/** The outcome of claiming one {@link Ownable}. */
public sealed interface Claim {

    /** The location claimed. */
    String location();

    /**
     * This instance owns the location.
     *
     * @param location the location
     * @param token    the fencing token: it grows each time the location changes hands (for etcd: the owner key's
     *                 create revision), so a write carrying a lower token than one already seen comes from a stale
     *                 owner; 0 means single-node mode (no cluster, no token written anywhere)
     * @param session  the session the ownership is attached to; it lasts while {@link Session#valid()} holds
     */
    record Owned(String location, long token, Session session) implements Claim {
        /** Validates. */
        public Owned {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(session, "session");
            if (token < 0) {
                throw new IllegalArgumentException("token must not be negative: " + token);
            }
        }
    }

    /**
     * Another instance owns the location.
     *
     * @param location the location
     * @param instance the holder's instance id
     * @param token    the holder's fencing token
     */
    record HeldBy(String location, String instance, long token) implements Claim {
        /** Validates. */
        public HeldBy {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(instance, "instance");
        }
    }
}
