package io.litefleet.replica.s3;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * Feeds an {@link ObjectBody} to the SDK as consecutive slices (the whole body for a single PUT, one slice per part
 * of a multipart upload) without holding any of it in memory.
 *
 * <p>The body is opened once and read front to back: slice {@code i}'s first attempt reads on from where slice
 * {@code i-1} stopped. A retried attempt (the SDK asks its {@link ContentStreamProvider} for a new stream) opens the
 * body again and skips to the slice. Opening can be costly (the engine re-encodes LTX files on every open), which is
 * why the common path opens the body once per upload, not once per part.
 *
 * <p>The bytes are checked against {@link ObjectBody#length()}: a body that ends early or runs on past its length
 * fails with {@link BodySourceException} before the last byte is handed over, so the store never completes an
 * object from a body that lied about its length. The same way, the put's {@link PutOptions.Guard} is checked
 * right before the body's last bytes are handed over (a refusal is {@link Refused}, unchecked so that the SDK does
 * not retry it), so a process resumed after its ownership lapsed never completes a single PUT it had started.
 * Not thread-safe: one upload, one thread at a time; close it when the upload is over.
 */
final class BodySlices implements Closeable {
    private final ObjectBody body;
    private final long length;
    private final PutOptions.Guard guard;
    private final List<InputStream> retries = new ArrayList<>();
    private InputStream shared;
    private long sharedPos;

    BodySlices(ObjectBody body, PutOptions.Guard guard) {
        this.body = body;
        this.length = body.length();
        this.guard = guard;
    }

    /** The guard's refusal, thrown from a body read; {@link #refusal} finds it in whatever the SDK wraps it in. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ReplicaException refusal;

        Refused(ReplicaException refusal) {
            super(refusal.getMessage(), refusal, false, false);
            this.refusal = refusal;
        }
    }

    /** The guard's refusal behind {@code e}, if a body read was refused. */
    static java.util.Optional<ReplicaException> refusal(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof Refused r) {
                return java.util.Optional.of(r.refusal);
            }
        }
        return java.util.Optional.empty();
    }

    /** The bytes {@code [offset, offset + size)}, for the slices in order. */
    ContentStreamProvider slice(long offset, long size) {
        return new ContentStreamProvider() {
            private boolean first = true;

            @Override
            public InputStream newStream() {
                try {
                    if (first && offset == sharedPos) {
                        first = false;
                        return new Slice(shared(), offset, size, true);
                    }
                    first = false;
                    InputStream fresh = open();
                    retries.add(fresh);
                    skip(fresh, offset);
                    return new Slice(fresh, offset, size, false);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public String name() {
                return "ObjectBody";
            }
        };
    }

    /**
     * Moves the shared stream to {@code offset} when a retried slice left it behind (the retry read its bytes from
     * another stream).
     */
    void seek(long offset) throws IOException {
        if (shared != null && sharedPos < offset) {
            skip(shared, offset - sharedPos);
            sharedPos = offset;
        }
    }

    /**
     * Closes every stream opened on the body. A failure to close a stream that was only read cannot lose data, and
     * the upload's outcome is already decided, so it is ignored.
     */
    @Override
    public void close() {
        List<InputStream> all = new ArrayList<>(retries);
        if (shared != null) {
            all.add(shared);
        }
        for (InputStream in : all) {
            try {
                in.close();
            } catch (IOException e) {
                // see above
            }
        }
        retries.clear();
        shared = null;
    }

    private InputStream shared() throws IOException {
        if (shared == null) {
            shared = open();
            sharedPos = 0;
        }
        return shared;
    }

    private InputStream open() throws BodySourceException {
        try {
            return body.open();
        } catch (IOException e) {
            throw new BodySourceException("cannot open the body to upload", e);
        }
    }

    private static void skip(InputStream in, long n) throws BodySourceException {
        try {
            in.skipNBytes(n);
        } catch (java.io.EOFException e) {
            throw new BodySourceException("the body ended before byte " + n + " (shorter than declared)", e);
        } catch (IOException e) {
            throw new BodySourceException("reading the body to upload failed", e);
        }
    }

    /** A bounded view that checks the body's length; closing it leaves the shared stream open. */
    private final class Slice extends InputStream {
        private final InputStream in;
        private final long end;
        private final boolean isShared;
        private long pos;

        Slice(InputStream in, long offset, long size, boolean isShared) {
            this.in = in;
            this.pos = offset;
            this.end = offset + size;
            this.isShared = isShared;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            long left = end - pos;
            if (left == 0) {
                if (end == length && readsOn()) { // an empty body; EOF stays EOF on later calls
                    throw new BodySourceException("the body is longer than its declared " + length + " bytes");
                }
                return -1;
            }
            int want = (int) Math.min(len, left);
            int n;
            try {
                n = want == left && end == length ? in.readNBytes(b, off, want) : in.read(b, off, want);
            } catch (IOException e) {
                throw new BodySourceException("reading the body to upload failed at byte " + pos, e);
            }
            if (n <= 0 || (want == left && end == length && n < want)) {
                throw new BodySourceException("the body ended after " + (pos + Math.max(n, 0)) + " of its declared "
                        + length + " bytes");
            }
            advance(n);
            if (pos == length) {
                if (readsOn()) {
                    throw new BodySourceException("the body is longer than its declared " + length + " bytes");
                }
                checkGuard();
            }
            return n;
        }

        /** At the declared end: whether the source still has bytes (checked before the last ones are sent). */
        private boolean readsOn() throws BodySourceException {
            try {
                return in.read() >= 0;
            } catch (IOException e) {
                throw new BodySourceException("reading the body to upload failed at byte " + pos, e);
            }
        }

        /** The commit point of a single PUT: the server gets the last bytes only if the guard passes. */
        private void checkGuard() {
            try {
                guard.check();
            } catch (ReplicaException e) {
                throw new Refused(e);
            }
        }

        private void advance(int n) {
            pos += n;
            if (isShared) {
                sharedPos = pos;
            }
        }

        @Override
        public void close() {
            // The shared stream lives on for the next slice; retry streams are closed with the BodySlices.
        }
    }
}
