package io.litefleet.replica.sftp;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;

/**
 * The one pooled SSH session of a destination. The first call connects; a call that finds the connection gone
 * (server restarted, network dropped, a request unanswered for {@link SftpConnection#REQUEST_TIMEOUT_MS}) discards it
 * and, when the operation may be repeated, runs once more on a fresh connection, so a dropped connection costs the
 * caller nothing. Connecting happens on the calling thread, one caller at a time; the others wait for its result.
 *
 * <p>Also remembers temp files that could not be removed because the connection died under an upload, and removes
 * them at the next successful connection. Thread-safe.
 */
final class SftpSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SftpSession.class.getName());
    private static final int MAX_ORPHANS = 10_000;

    private final SftpSettings settings;
    private final HostKeyPolicy hostKeys;
    private final SftpLogin login;
    private final Config config;
    private final Object connectLock = new Object();
    private final Set<String> orphans = ConcurrentHashMap.newKeySet();
    private volatile SftpConnection current;
    private volatile boolean closed;

    SftpSession(SftpSettings settings, HostKeyPolicy hostKeys, SftpLogin login, Config config) {
        this.settings = settings;
        this.hostKeys = hostKeys;
        this.login = login;
        this.config = config;
    }

    /** Work done on one SFTP channel. */
    @FunctionalInterface
    interface Operation<T> {
        T run(SftpConnection.Channel channel) throws IOException;
    }

    /**
     * Runs {@code op} on a channel; when the connection turns out to be gone and {@code repeatable}, once more on a
     * new connection.
     *
     * @param name what the operation is, for messages ({@code put}, {@code list})
     * @param key  the key or prefix it works on, for messages
     */
    <T> T call(String name, String key, Repeat repeatable, Operation<T> op) throws ReplicaException {
        SftpConnection c = connection(name, key);
        ReplicaException lost;
        try {
            return runOn(c, op);
        } catch (IOException e) {
            lost = SftpErrors.map(settings.describe(), name, key, e);
            if (!SftpErrors.isConnectionLoss(e)) {
                throw lost;
            }
            discard(c);
            if (!repeatable.again()) {
                throw lost;
            }
            LOG.log(System.Logger.Level.DEBUG, "{0}: connection lost during {1} {2}, reconnecting: {3}",
                    settings.describe(), name, key, e.toString());
        }
        try {
            SftpConnection again = connection(name, key);
            try {
                return runOn(again, op);
            } catch (IOException e) {
                if (SftpErrors.isConnectionLoss(e)) {
                    discard(again);
                }
                throw SftpErrors.map(settings.describe(), name, key, e);
            }
        } catch (ReplicaException e) {
            e.addSuppressed(lost);
            throw e;
        }
    }

    /** Whether an operation may run again after its connection died mid-way. */
    @FunctionalInterface
    interface Repeat {
        /** Always: reads, listings, deletes, overwrites. */
        Repeat ALWAYS = () -> true;

        /** Whether to run it again now. */
        boolean again();
    }

    /** Marks the connection {@code c} as gone (after a stream on it failed), so the next call reconnects. */
    void lost(SftpConnection c) {
        discard(c);
    }

    /** The connection calls run on now (connecting if needed), for streams that must report a loss. */
    SftpConnection connection(String name, String key) throws ReplicaException {
        checkOpen();
        SftpConnection c = current;
        if (c != null && c.isAlive()) {
            return c;
        }
        synchronized (connectLock) {
            checkOpen();
            c = current;
            if (c != null && c.isAlive()) {
                return c;
            }
            if (c != null) {
                c.close();
                current = null;
            }
            c = connect(name, key);
            current = c;
        }
        removeOrphans(c);
        return c;
    }

    /** Remembers a temp file left behind by a failed upload, to remove at the next connection. */
    void orphan(String remotePath) {
        if (orphans.size() < MAX_ORPHANS) {
            orphans.add(remotePath);
        }
    }

    /** How many channels the current connection has open (0 when not connected); for tests. */
    int channelCount() {
        SftpConnection c = current;
        return c == null ? 0 : c.channelCount();
    }

    private SftpConnection connect(String name, String key) throws ReplicaException {
        HostKeyPolicy.Check check;
        try {
            check = hostKeys.check();
        } catch (IOException e) {
            throw SftpErrors.of(ReplicaFailure.INVALID, settings.describe(), "connect", "",
                    "cannot read the known_hosts file " + settings.knownHosts() + ": " + e.getMessage());
        }
        try {
            return SftpConnection.open(config, settings, check, login.methods());
        } catch (UserAuthException e) {
            throw SftpErrors.of(ReplicaFailure.AUTH, settings.describe(), "connect", "", "the server refused to log in '"
                    + settings.user() + "' with " + login.describe() + " (" + e.getMessage() + ")");
        } catch (IOException e) {
            if (e instanceof TransportException && check.refusal().isPresent()) {
                throw SftpErrors.of(ReplicaFailure.AUTH, settings.describe(), "connect", "", check.refusal().get());
            }
            throw SftpErrors.map(settings.describe(), name, key, e);
        }
    }

    private <T> T runOn(SftpConnection c, Operation<T> op) throws IOException {
        SftpConnection.Channel ch = c.acquire();
        try {
            return op.run(ch);
        } finally {
            ch.release();
        }
    }

    private void removeOrphans(SftpConnection c) {
        for (String path : orphans) {
            try {
                SftpConnection.Channel ch = c.acquire();
                try {
                    ch.engine().remove(path);
                } finally {
                    ch.release();
                }
                orphans.remove(path);
            } catch (IOException e) {
                if (SftpErrors.isConnectionLoss(e)) {
                    return; // try again at the next connection
                }
                orphans.remove(path); // gone already (NO_SUCH_FILE) or not ours to remove: stop trying
            }
        }
    }

    private void discard(SftpConnection c) {
        synchronized (connectLock) {
            if (current == c) {
                current = null;
            }
        }
        c.close();
    }

    /** Fails with {@link IllegalStateException} once closed. */
    void checkOpen() {
        if (closed) {
            throw new IllegalStateException(settings.describe() + ": client is closed");
        }
    }

    /** Disconnects; idempotent. */
    @Override
    public void close() {
        synchronized (connectLock) {
            closed = true;
            SftpConnection c = current;
            current = null;
            if (c != null) {
                c.close();
            }
        }
    }
}
