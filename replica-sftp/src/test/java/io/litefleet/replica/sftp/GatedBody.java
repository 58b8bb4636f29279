package io.litefleet.replica.sftp;

import io.litefleet.api.replica.ObjectBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A body of {@code length} pseudo-random bytes whose first stream stops after {@code gateAt} bytes until the test
 * {@link #release()}s it, so a test can act (stop the server) while an upload is under way. Later streams run
 * through.
 */
final class GatedBody implements ObjectBody {
    private final long seed;
    private final long length;
    private final long gateAt;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    GatedBody(long seed, long length, long gateAt) {
        this.seed = seed;
        this.length = length;
        this.gateAt = gateAt;
    }

    /** Waits until an upload has read {@code gateAt} bytes. */
    void awaitGate() throws InterruptedException {
        if (!reached.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the upload did not reach byte " + gateAt + " within 60 s");
        }
    }

    /** Lets the held upload go on. */
    void release() {
        released.countDown();
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public InputStream open() {
        boolean gated = reached.getCount() > 0;
        return new InputStream() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private long position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position == length) {
                    return -1;
                }
                if (gated && position == gateAt) {
                    reached.countDown();
                    try {
                        if (!released.await(60, TimeUnit.SECONDS)) {
                            throw new IOException("test never released the gate");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted at the gate");
                    }
                }
                long limit = gated && position < gateAt ? gateAt : length;
                int n = (int) Math.min(len, limit - position);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) random.nextInt(256);
                }
                position += n;
                return n;
            }
        };
    }

    /** The whole body, for comparing what a read returns. */
    byte[] bytes() throws IOException {
        try (InputStream in = new GatedBody(seed, length, -1).open()) {
            return in.readAllBytes();
        }
    }
}
