package io.litefleet.core;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.config.ClusterConfig;
import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.HeartbeatConfig;
import io.litefleet.core.config.HttpConfig;
import io.litefleet.core.engine.ShutdownSync;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.ReplicaConfig;
import io.litefleet.core.config.SocketConfig;
import io.litefleet.core.engine.EngineSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The embedding facade of Litefleet: the one place where replication is put together, used by the command line,
 * the demo and the tests alike. A Java application embeds it the same way:
 *
 * <pre>{@code
 * try (Replication r = Litefleet.builder()
 *         .stateDir(Path.of("/var/lib/myapp/litefleet"))
 *         .database(Path.of("/data/app.db"), "s3://bucket/app")   // or .config(Path.of("litefleet.yml"))
 *         .start()) {
 *     ...                     // r.status(), r.promote(path) before a burst of writes
 * }                           // close(): final syncs, then everything started is released
 * }</pre>
 *
 * Static methods are thread-safe; a {@link Builder} is not.
 */
public final class Litefleet {
    private static final String VERSION = loadVersion();

    private Litefleet() {
    }

    /** A builder for replication in this process. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What to replicate and how. At least one database or a config is needed, and a state directory (given here,
     * or the config's {@code state-dir:}).
     */
    public static final class Builder {
        private final List<DbConfig> dbs = new ArrayList<>();
        private Optional<FleetConfig> fleet = Optional.empty();
        private CompactionSettings compaction = CompactionSettings.defaults();
        private Optional<Path> configStateDir = Optional.empty();
        private Path stateDir;
        private Path pluginsDir;
        private Clock clock = Clock.systemUTC();
        private boolean manual;
        private HttpConfig http = HttpConfig.OFF;
        private ShutdownSync shutdownSync = ShutdownSync.ONCE;
        private Optional<HeartbeatConfig> heartbeat = Optional.empty();
        private Optional<SocketConfig> socket = Optional.empty();
        private ClusterConfig cluster = ClusterConfig.none("command line");

        private Builder() {
        }

        /**
         * Adds what a config file describes (Litestream's {@code dbs:} list, the {@code multi-db:} section, the
         * global keys).
         *
         * @throws io.litefleet.api.ConfigException naming the file, line and key of a bad value
         */
        public Builder config(Path file) {
            LitefleetConfig c = LitefleetConfig.load(file.toAbsolutePath());
            return config(c);
        }

        /** Adds what an already loaded config describes (see {@link #config(Path)}). */
        public Builder config(LitefleetConfig c) {
            if (c.socket().enabled()) {
                socket = Optional.of(c.socket());
            } else if (c.dbs().isEmpty() && c.fleet().isEmpty()) {
                throw new ConfigException(c.file() + ": no databases configured (dbs: is empty, there is no "
                        + "enabled multi-db: section and no enabled socket: to register databases through)");
            }
            dbs.addAll(c.dbs());
            fleet = c.fleet();
            compaction = c.compaction();
            configStateDir = c.fleet().flatMap(FleetConfig::stateDir).or(c::stateDir);
            http = c.http();
            shutdownSync = c.shutdownSync();
            heartbeat = c.heartbeat();
            cluster = c.cluster();
            return this;
        }

        /**
         * The HTTP endpoint ({@code /metrics}, the status API and page): off unless given here or by a config file's
         * {@code addr:} (absent there: {@link HttpConfig#DEFAULT_ADDR}).
         */
        public Builder http(HttpConfig config) {
            http = java.util.Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * How hard a stop tries to ship what is committed: a final sync that fails is retried every {@code interval}
         * until {@code timeout} has passed since the stop began (zero: one attempt, the default here; a config file's
         * {@code shutdown-sync-timeout}/{@code -interval}, upstream's 30 s and 500 ms when absent, replace it).
         */
        public Builder shutdownSync(Duration timeout, Duration interval) {
            this.shutdownSync = new ShutdownSync(timeout, interval);
            return this;
        }

        /** Adds one database replicating to {@code replicaUrl} every second. */
        public Builder database(Path db, String replicaUrl) {
            return database(db, replicaUrl, EngineSettings.DEFAULTS.syncInterval());
        }

        /** Adds one database replicating to {@code replicaUrl} every {@code syncInterval}. */
        public Builder database(Path db, String replicaUrl, Duration syncInterval) {
            dbs.add(databaseConfig(db, replicaUrl, syncInterval, "command line"));
            return this;
        }

        /** One database replicating to {@code replicaUrl} every {@code syncInterval}, configured by {@code origin}. */
        static DbConfig databaseConfig(Path db, String replicaUrl, Duration syncInterval, String origin) {
            URI uri = ReplicaUrl.parse(replicaUrl);
            ReplicaConfig rc = new ReplicaConfig(uri.getScheme(), Optional.of(uri), new Settings(origin, Map.of()),
                    syncInterval);
            return new DbConfig(db.toAbsolutePath().normalize(), rc,
                    EngineSettings.DEFAULTS.withSyncInterval(syncInterval).withConvertToWal(true), origin);
        }

        /**
         * Listens on a control socket at {@code path} with file permissions {@code permissions} (octal bits), as the
         * config's {@code socket:} section does: {@code litefleet sync -wait}, {@code start}, {@code stop},
         * {@code register} and the others (and upstream's) talk to it.
         */
        public Builder controlSocket(Path path, int permissions) {
            this.socket = Optional.of(new SocketConfig(true, path.toAbsolutePath().normalize(), permissions));
            return this;
        }

        /**
         * Keeps only the database at {@code db}: its {@code dbs:} entry, or a database of the fleet (its file need not
         * exist), placed by the {@code multi-db:} templates or its {@code dir:} entry exactly as the fleet places it
         * and then handled as a listed database. The fleet itself is dropped. For one-off work on one database
         * ({@link #syncOnce(boolean, boolean)}: {@code litefleet snapshot}).
         *
         * @throws ConfigException naming the config when it has no such database
         */
        public Builder only(Path db) {
            Path wanted = db.toAbsolutePath().normalize();
            Optional<DbConfig> listed = dbs.stream().filter(d -> d.path().equals(wanted)).findFirst();
            DbConfig found = listed.orElseGet(() -> fleet.map(f -> FleetWiring.asListed(f, wanted, pluginsDir))
                    .orElseThrow(() -> new ConfigException(wanted + " is not a configured database (not under dbs:, "
                            + "and there is no multi-db: section)")));
            dbs.clear();
            dbs.add(found);
            fleet = Optional.empty();
            return this;
        }

        /** The databases added so far (listed under {@code dbs:} or given one by one), in order. */
        public List<DbConfig> databases() {
            return List.copyOf(dbs);
        }

        /** The state directory (catalog, page checksums, lock); overrides the config's {@code state-dir:}. */
        public Builder stateDir(Path dir) {
            this.stateDir = dir.toAbsolutePath().normalize();
            return this;
        }

        /** A directory of drop-in plugins, one sub-directory each. */
        public Builder pluginsDir(Path dir) {
            this.pluginsDir = dir;
            return this;
        }

        /** The clock everything runs on (default: UTC system time). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * No threads: nothing runs until {@link Replication#runUntilIdle()}, which does what is due at the clock's
         * time on the caller's thread. For tests (with a clock they move) and embedders with a loop of their own.
         */
        public Builder manual() {
            this.manual = true;
            return this;
        }

        /** The state directory that {@link #start()} would use, if one is known. */
        public Optional<Path> resolvedStateDir() {
            return Optional.ofNullable(stateDir).or(() -> configStateDir);
        }

        /**
         * Syncs every listed database once (open, ship what is committed, close) without starting replication; a
         * fleet is not started. One outcome per database, in order; one failing does not stop the others.
         *
         * @throws io.litefleet.api.ConfigException for a bad config (two databases on one replica, ...)
         * @throws IOException when the state directory is locked by another process or unreadable
         */
        public List<SyncOutcome> syncOnce() throws IOException {
            return syncOnce(false, false);
        }

        /**
         * As {@link #syncOnce()}, then each replica is settled when asked: with {@code snapshot} it gets a snapshot
         * of the latest state (unless its newest snapshot already holds it; upstream's {@code -once
         * -force-snapshot}); with {@code retention} (upstream's {@code -once -enforce-retention}) a snapshot only when
         * the newest is older than the snapshot interval. Settling also compacts the levels and enforces retention. A
         * failed settle is that database's outcome error.
         */
        public List<SyncOutcome> syncOnce(boolean snapshot, boolean retention) throws IOException {
            Path state = resolvedStateDir().orElseThrow(() -> new IllegalStateException(
                    "no state directory: give stateDir(...) or state-dir: in the config"));
            Optional<Duration> settle = snapshot ? Optional.of(Duration.ZERO)
                    : retention ? Optional.of(compaction.snapshotInterval()) : Optional.empty();
            return Replication.syncOnce(new Replication.Plan(dbs, Optional.empty(), compaction, state,
                    Optional.ofNullable(pluginsDir), clock, true, HttpConfig.OFF, shutdownSync, Optional.empty(),
                    Optional.empty(), cluster),
                    settle);
        }

        /**
         * Starts replicating: takes the state directory's lock, opens the catalog and plugins, schedules every listed
         * database on the one sync pool and starts the fleet. Everything is released again if a step fails.
         *
         * @throws io.litefleet.api.ConfigException for a bad config (two databases on one replica, an unknown
         *                                          backend, ...)
         * @throws IOException when the state directory is locked by another process or unreadable
         */
        public Replication start() throws IOException {
            if (dbs.isEmpty() && fleet.isEmpty() && socket.isEmpty()) {
                throw new IllegalStateException("nothing to replicate: add a database, a config or a control socket");
            }
            Path state = resolvedStateDir().orElseThrow(() -> new IllegalStateException(
                    "no state directory: give stateDir(...) or state-dir: in the config"));
            return Replication.start(new Replication.Plan(dbs, fleet, compaction, state,
                    Optional.ofNullable(pluginsDir), clock, manual, http, shutdownSync, heartbeat,
                    socket, cluster));
        }
    }

    /**
     * What {@link Builder#syncOnce()} did for one database.
     *
     * @param db    the database
     * @param txid  the replica's TXID after the sync (0 on failure)
     * @param files LTX files uploaded
     * @param bytes bytes uploaded
     * @param error why it failed, if it did
     */
    public record SyncOutcome(Path db, long txid, int files, long bytes, Optional<String> error) {
    }

    /** The version of this build, for example {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return VERSION;
    }

    private static String loadVersion() {
        try (InputStream in = Litefleet.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
