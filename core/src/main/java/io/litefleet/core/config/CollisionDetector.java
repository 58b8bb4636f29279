package io.litefleet.core.config;

import io.litefleet.core.util.PackedHashIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Finds databases of a fleet that would share a replica path. Databases are offered one at a time as
 * (index, replica path), the index being the caller's stable number for the database; the detector keeps only a
 * 32-bit hash of each replica path and the index of the database that holds it (8 bytes a database), and
 * on a hash match asks the {@link Lookup} for the holder's exact path to rule out a hash collision.
 *
 * <p><b>All colliding databases are excluded</b>, the first included: whichever was seen first is an accident of
 * scan order, and letting it keep the replica would hand it history that may belong to the other. They stay
 * excluded until only one of them is left ({@link #remove}).
 *
 * <p>Thread-safe (every method synchronizes on the detector).
 */
public final class CollisionDetector {
    /** What the caller knows about an index; consulted on hash matches and for messages only. */
    public interface Lookup {
        /** The database file of {@code index}. */
        Path path(int index);

        /** The pattern that matched it, as configured. */
        String pattern(int index);

        /** Its replica path, as last offered. */
        String replicaPath(int index);
    }

    /**
     * A database in a collision.
     *
     * @param index   the caller's number for it
     * @param path    its file
     * @param pattern the pattern that found it
     */
    public record Member(int index, Path path, String pattern) {
        /** Validates. */
        public Member {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(pattern, "pattern");
        }
    }

    /**
     * Two or more databases that would replicate to one path; none of them is replicated.
     *
     * @param replicaPath the shared replica path
     * @param databases   the databases, first seen first
     */
    public record Collision(String replicaPath, List<Member> databases) {
        /** Validates and copies. */
        public Collision {
            Objects.requireNonNull(replicaPath, "replicaPath");
            databases = List.copyOf(databases);
            if (databases.size() < 2) {
                throw new IllegalArgumentException("a collision needs two databases");
            }
        }

        /** A message for the log and the status API naming every database, its pattern and the replica path. */
        public String message() {
            StringBuilder sb = new StringBuilder("replica path collision: ").append(databases.size())
                    .append(" databases would replicate to '").append(replicaPath).append("': ");
            for (int i = 0; i < databases.size(); i++) {
                Member m = databases.get(i);
                sb.append(i == 0 ? "" : ", ").append(m.path()).append(" (pattern '").append(m.pattern()).append("')");
            }
            return sb.append("; none of them is replicated until only one is left, or the replica-template.path uses "
                    + "the variable that tells them apart").toString();
        }
    }

    private final Lookup lookup;
    /** Index of the one database holding each replica path (outside collisions), keyed by the path's hash. */
    private final PackedHashIndex holders = new PackedHashIndex();
    /** Replica paths held by more than one database, with those databases; small (only the collisions). */
    private final Map<String, Set<Integer>> collided = new LinkedHashMap<>();

    private CollisionDetector(Lookup lookup) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    /**
     * An empty detector.
     *
     * @param lookup answers for indexes already offered; must agree with what was offered. Its
     *               {@link Lookup#replicaPath} is asked only when two replica paths share a 32-bit hash, so it may
     *               recompute the path rather than store it.
     */
    public static CollisionDetector create(Lookup lookup) {
        return new CollisionDetector(lookup);
    }

    /**
     * Offers a database. Offering the same index and path again changes nothing.
     *
     * @param index       the caller's stable number for the database, {@code >= 0}
     * @param replicaPath its resolved replica path
     * @return the collision it is part of (then it and every other member must not replicate), or empty when it
     *         may replicate
     */
    public synchronized Optional<Collision> add(int index, String replicaPath) {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0");
        }
        Set<Integer> members = collided.get(replicaPath);
        if (members != null) {
            members.add(index);
            return Optional.of(collision(replicaPath, members));
        }
        int h = hash(replicaPath);
        int holder = holders.find(h, i -> i == index || lookup.replicaPath(i).equals(replicaPath));
        if (holder < 0) {
            holders.add(index, h);
            return Optional.empty();
        }
        if (holder == index) {
            return Optional.empty();
        }
        holders.remove(holder, h);
        return Optional.of(collide(replicaPath, holder, index));
    }

    /**
     * Withdraws a database (deleted, or no longer matched), as offered.
     *
     * @return a database that was excluded only because of this one and may now replicate, else empty
     */
    public synchronized OptionalInt remove(int index, String replicaPath) {
        Set<Integer> members = collided.get(replicaPath);
        if (members != null) {
            members.remove(index);
            if (members.size() > 1) {
                return OptionalInt.empty();
            }
            collided.remove(replicaPath);
            if (members.isEmpty()) {
                return OptionalInt.empty();
            }
            int survivor = members.iterator().next();
            add(survivor, replicaPath);
            return OptionalInt.of(survivor);
        }
        holders.remove(index, hash(replicaPath));
        return OptionalInt.empty();
    }

    /** Whether {@code index} is excluded by a collision. */
    public synchronized boolean isExcluded(int index) {
        for (Set<Integer> members : collided.values()) {
            if (members.contains(index)) {
                return true;
            }
        }
        return false;
    }

    /** The current collisions, in the order they were found. */
    public synchronized List<Collision> collisions() {
        List<Collision> out = new ArrayList<>(collided.size());
        collided.forEach((p, members) -> out.add(collision(p, members)));
        return out;
    }

    private Collision collide(String replicaPath, int first, int second) {
        Set<Integer> members = new LinkedHashSet<>();
        members.add(first);
        members.add(second);
        collided.put(replicaPath, members);
        return collision(replicaPath, members);
    }

    private Collision collision(String replicaPath, Set<Integer> members) {
        List<Member> list = new ArrayList<>(members.size());
        for (int i : members) {
            list.add(new Member(i, lookup.path(i), lookup.pattern(i)));
        }
        return new Collision(replicaPath, list);
    }

    /** FNV-1a over the UTF-16 units, finished with MurmurHash3's fmix32. */
    static int hash(String s) {
        int h = 0x811c9dc5;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }
}
