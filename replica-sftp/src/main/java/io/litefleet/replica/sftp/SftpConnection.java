package io.litefleet.replica.sftp;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.sftp.SFTPEngine;
import net.schmizz.sshj.userauth.method.AuthMethod;

/**
 * One authenticated SSH connection and up to {@code channels} SFTP channels on it. A call takes the least busy
 * channel, opening another while every open one is busy and the limit allows; SFTP multiplexes requests by id, so
 * any number of calls (and open streams) may share a channel. sshj runs one reader thread for the connection and
 * one per channel. Thread-safe.
 */
final class SftpConnection implements AutoCloseable {
    /** How long one request may wait for its answer before the connection is taken for dead. */
    static final int REQUEST_TIMEOUT_MS = 30_000;
    private static final int CONNECT_TIMEOUT_MS = 30_000;

    private final SSHClient ssh;
    private final int maxChannels;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private SftpConnection(SSHClient ssh, int maxChannels) {
        this.ssh = ssh;
        this.maxChannels = maxChannels;
    }

    /**
     * Connects, verifies the host key, logs in with the given methods (tried in order) and opens the first channel.
     * Closes everything it opened when a step fails.
     */
    static SftpConnection open(Config config, SftpSettings s, HostKeyPolicy.Check hostKeys, List<AuthMethod> auth)
            throws IOException {
        SSHClient ssh = new SSHClient(config);
        try {
            ssh.setConnectTimeout(CONNECT_TIMEOUT_MS);
            ssh.getTransport().setTimeoutMs(REQUEST_TIMEOUT_MS);
            ssh.addHostKeyVerifier(hostKeys);
            ssh.connect(s.host(), s.port());
            ssh.auth(s.user(), auth);
            SftpConnection c = new SftpConnection(ssh, s.channels());
            c.channels.add(c.openChannel());
            return c;
        } catch (IOException | RuntimeException e) {
            try {
                ssh.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Whether the connection and its channels are still usable. */
    boolean isAlive() {
        if (closed || !ssh.isConnected() || !ssh.isAuthenticated()) {
            return false;
        }
        for (Channel c : channels) {
            if (!c.engine.getSubsystem().isOpen()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The least busy channel, marked busy until {@link Channel#release()}; opens another channel when all are busy
     * and fewer than the limit are open.
     */
    Channel acquire() throws IOException {
        Channel best = leastBusy();
        if (best.busy.get() > 0 && channels.size() < maxChannels) {
            synchronized (this) {
                if (channels.size() < maxChannels && leastBusy().busy.get() > 0) {
                    best = openChannel();
                    channels.add(best);
                }
            }
        }
        best.busy.incrementAndGet();
        return best;
    }

    /** How many SFTP channels are open. */
    int channelCount() {
        return channels.size();
    }

    private Channel leastBusy() {
        Channel best = null;
        for (Channel c : channels) {
            if (best == null || c.busy.get() < best.busy.get()) {
                best = c;
            }
        }
        if (best == null) {
            throw new IllegalStateException("a connection always has a channel");
        }
        return best;
    }

    private Channel openChannel() throws IOException {
        SFTPEngine engine = new SFTPEngine(ssh).init();
        engine.setTimeoutMs(REQUEST_TIMEOUT_MS);
        return new Channel(this, engine);
    }

    /** Disconnects; idempotent, never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel c : channels) {
            try {
                c.engine.close();
            } catch (IOException | RuntimeException ignored) {
                // the connection is going away anyway
            }
        }
        try {
            ssh.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing is left to release
        }
    }

    /** One SFTP channel and how many calls are using it. */
    static final class Channel {
        private final SftpConnection owner;
        private final SFTPEngine engine;
        private final AtomicInteger busy = new AtomicInteger();

        private Channel(SftpConnection owner, SFTPEngine engine) {
            this.owner = owner;
            this.engine = engine;
        }

        /** The connection the channel belongs to. */
        SftpConnection owner() {
            return owner;
        }

        /** The channel's engine. */
        SFTPEngine engine() {
            return engine;
        }

        /** Ends one use started by {@link SftpConnection#acquire()}. */
        void release() {
            busy.decrementAndGet();
        }
    }
}
