package io.litefleet.core.file;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Directory fsyncs shared between concurrent puts: {@link #sync} returns once an fsync of the directory that
 * <em>started after the call</em> has completed, so whatever the caller did to the directory before calling (a
 * rename, a mkdir) is durable, exactly as with its own fsync. One fsync in flight per directory serves every caller
 * that arrived before it started; callers arriving while it runs share the next one. A fleet's first capture puts
 * hundreds of files into sibling directories at once, and a parent directory such as {@code b0/} gets an entry per
 * tenant: without sharing, each paid its own fsync of the same directory.
 *
 * <p>Thread-safe. A failed fsync fails its caller only; the others waiting run their own. Keeps no state for a
 * directory nobody is syncing.
 */
final class DirectorySyncs {
    /** The fsync itself (a parameter for tests). */
    interface Fsync {
        void force(Path dir) throws IOException;
    }

    /** One directory's tickets: issued to callers, and covered by a completed fsync. Guarded by the owner. */
    private static final class State {
        long issued;
        long durable;
        boolean running;
        int users;
    }

    private final Fsync fsync;
    private final Map<Path, State> dirs = new HashMap<>();

    DirectorySyncs(Fsync fsync) {
        this.fsync = fsync;
    }

    /** Returns once an fsync of {@code dir} that started after this call has completed; throws its failure. */
    void sync(Path dir) throws IOException {
        State s;
        long ticket;
        synchronized (this) {
            s = dirs.computeIfAbsent(dir, k -> new State());
            s.users++;
            ticket = ++s.issued;
        }
        try {
            awaitCovered(dir, s, ticket);
        } finally {
            synchronized (this) {
                if (--s.users == 0) {
                    dirs.remove(dir);
                }
            }
        }
    }

    /**
     * Waits while another caller's fsync runs; returns if that one covered {@code ticket}, else (it started before
     * this caller arrived, or failed) runs one that covers every ticket issued so far.
     */
    private void awaitCovered(Path dir, State s, long ticket) throws IOException {
        long covers;
        synchronized (this) {
            while (s.running && s.durable < ticket) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException(dir + ": interrupted waiting for its fsync");
                }
            }
            if (s.durable >= ticket) {
                return;
            }
            s.running = true;
            covers = s.issued; // every caller counted so far changed the directory before this fsync starts
        }
        boolean ok = false;
        try {
            fsync.force(dir);
            ok = true;
        } finally {
            synchronized (this) {
                s.running = false;
                if (ok) {
                    s.durable = Math.max(s.durable, covers);
                }
                notifyAll();
            }
        }
    }

    /** Directories with a sync in progress or waiting (tests). */
    synchronized int active() {
        return dirs.size();
    }
}
