package io.litefleet.core.replica;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Replica locations claimed by databases, to refuse two databases whose replicas are the same place or one inside
 * the other: they would write the same TXIDs over each other's files (or list each other's), and both backups would
 * be lost. Locations are compared as {@link ReplicaTarget#describe()} gives them (destination plus path), nested at
 * {@code /} boundaries. Thread-safe (the fleet reads it while the control socket registers databases).
 */
public final class ReplicaOverlaps {
    private final NavigableMap<String, Claim> byLocation = new TreeMap<>();

    /**
     * One database's claim on a replica location.
     *
     * @param owner  who claims it, for messages (the database path and where it was configured)
     * @param target the replica
     */
    public record Claim(String owner, ReplicaTarget target) {
        /** Validates. */
        public Claim {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(target, "target");
        }

        String location() {
            return ReplicaOverlaps.location(target);
        }
    }

    /** Records {@code claim} unless it overlaps an earlier one, which is returned instead (and nothing recorded). */
    public synchronized Optional<Claim> add(Claim claim) {
        Optional<Claim> other = overlapping(claim.target());
        if (other.isEmpty()) {
            byLocation.put(claim.location(), claim);
        }
        return other;
    }

    /** Whether nothing is claimed. */
    public synchronized boolean isEmpty() {
        return byLocation.isEmpty();
    }

    /** Forgets the claim on {@code target} (a database unregistered at runtime), if it is recorded. */
    public synchronized void release(ReplicaTarget target) {
        Claim c = byLocation.get(location(target));
        if (c != null && c.target() == target) {
            byLocation.remove(location(target));
        }
    }

    /** The recorded claim whose location equals {@code target}'s, contains it or lies inside it, if any. */
    public synchronized Optional<Claim> overlapping(ReplicaTarget target) {
        String loc = location(target);
        Claim same = byLocation.get(loc);
        if (same != null) {
            return Optional.of(same);
        }
        Map.Entry<String, Claim> inside = byLocation.ceilingEntry(loc + "/");
        if (inside != null && inside.getKey().startsWith(loc + "/")) {
            return Optional.of(inside.getValue());
        }
        int from = loc.indexOf("://");
        for (int i = loc.length() - 1; i > (from < 0 ? 0 : from + 3); i--) {
            if (loc.charAt(i) == '/') {
                Claim outer = byLocation.get(loc.substring(0, i));
                if (outer != null) {
                    return Optional.of(outer);
                }
            }
        }
        return Optional.empty();
    }

    /** A message naming both databases and both locations. */
    public static String message(Claim first, Claim second) {
        String a = first.location();
        String b = second.location();
        String how = a.equals(b) ? "the same replica " + a
                : "replicas inside one another (" + a + " and " + b + ")";
        return first.owner() + " and " + second.owner() + " have " + how + ": each would overwrite the other's "
                + "files and neither could be restored; give each database its own replica path";
    }

    private static String location(ReplicaTarget target) {
        String d = target.describe();
        int end = d.length();
        while (end > 0 && d.charAt(end - 1) == '/' && !d.substring(0, end).endsWith("://")
                && !d.substring(0, end).endsWith(":///")) {
            end--;
        }
        return d.substring(0, end);
    }
}
