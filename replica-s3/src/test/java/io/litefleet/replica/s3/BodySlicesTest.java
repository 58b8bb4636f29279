package io.litefleet.replica.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;

class BodySlicesTest {
    /** A body that counts how often it is opened. */
    private static final class Counted implements ObjectBody {
        final byte[] data;
        final long declared;
        final AtomicInteger opens = new AtomicInteger();

        Counted(byte[] data, long declared) {
            this.data = data;
            this.declared = declared;
        }

        @Override
        public long length() {
            return declared;
        }

        @Override
        public InputStream open() {
            opens.incrementAndGet();
            return new ByteArrayInputStream(data);
        }
    }

    private static byte[] read(ContentStreamProvider p) throws IOException {
        try (InputStream in = p.newStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void slicesInOrder_openTheBodyOnce() throws IOException {
        byte[] data = S3ReplicaClientIT.bytes(1, 10_000);
        Counted body = new Counted(data, data.length);
        try (BodySlices s = new BodySlices(body, PutOptions.Guard.NONE)) {
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 4000), read(s.slice(0, 4000)));
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 4000, 8000), read(s.slice(4000, 4000)));
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 8000, 10_000), read(s.slice(8000, 2000)));
        }
        assertEquals(1, body.opens.get());
    }

    @Test
    void aRetriedSlice_readsItsBytesFromAFreshStream_andTheNextSliceStillLinesUp() throws IOException {
        byte[] data = S3ReplicaClientIT.bytes(2, 9_000);
        Counted body = new Counted(data, data.length);
        try (BodySlices s = new BodySlices(body, PutOptions.Guard.NONE)) {
            ContentStreamProvider first = s.slice(0, 3000);
            try (InputStream partial = first.newStream()) {
                partial.readNBytes(1000); // the attempt breaks here
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 3000), read(first), "the retry");
            s.seek(3000);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 3000, 9000), read(s.slice(3000, 6000)));
        }
        assertEquals(2, body.opens.get());
    }

    @Test
    void aBodyShorterOrLongerThanDeclared_failsBeforeItsLastByteIsHandedOver() {
        try (BodySlices s = new BodySlices(new Counted(new byte[100], 200), PutOptions.Guard.NONE)) {
            BodySourceException e = assertThrows(BodySourceException.class, () -> read(s.slice(0, 200)));
            assertTrue(e.getMessage().contains("ended after 100 of its declared 200"), e.getMessage());
        }
        try (BodySlices s = new BodySlices(new Counted(new byte[300], 200), PutOptions.Guard.NONE)) {
            InputStream in = s.slice(0, 200).newStream();
            BodySourceException e = assertThrows(BodySourceException.class, () -> in.readNBytes(200));
            assertTrue(e.getMessage().contains("longer than its declared 200"), e.getMessage());
        }
        try (BodySlices s = new BodySlices(new Counted(new byte[1], 0), PutOptions.Guard.NONE)) {
            assertThrows(BodySourceException.class, () -> s.slice(0, 0).newStream().read());
        }
    }

    @Test
    void aRefusingGuard_failsTheLastReadOnly_beforeTheLastBytesAreHandedOver() throws IOException {
        byte[] data = S3ReplicaClientIT.bytes(3, 10_000);
        AtomicInteger checks = new AtomicInteger();
        ReplicaException fenced = new ReplicaException(ReplicaFailure.FENCED, "injected: fenced");
        try (BodySlices s = new BodySlices(new Counted(data, data.length), () -> {
            checks.incrementAndGet();
            throw fenced;
        })) {
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 6000), read(s.slice(0, 6000)), "a first part");
            assertEquals(0, checks.get(), "no check before the body's end");
            InputStream last = s.slice(6000, 4000).newStream();
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 6000, 9000), last.readNBytes(3000));
            byte[] rest = new byte[1000];
            BodySlices.Refused e = assertThrows(BodySlices.Refused.class, () -> last.read(rest, 0, 1000));
            assertEquals(1, checks.get());
            assertEquals(fenced, BodySlices.refusal(new RuntimeException("wrapped", e)).orElseThrow());
        }
    }

    @Test
    void timestamp_isGoRfc3339Nano() {
        assertEquals("2025-01-02T03:04:05.12Z", S3ReplicaClient.rfc3339Nano(Instant.parse("2025-01-02T03:04:05.120Z")));
        assertEquals("2025-01-02T03:04:05Z", S3ReplicaClient.rfc3339Nano(Instant.parse("2025-01-02T03:04:05Z")));
        assertEquals("2025-01-02T03:04:05.000000001Z",
                S3ReplicaClient.rfc3339Nano(Instant.parse("2025-01-02T03:04:05.000000001Z")));
    }

    @Test
    void partSize_growsPastTenThousandParts() {
        assertEquals(5L << 20, MultipartUpload.partSize(5L << 20, 1L << 30));
        assertEquals(11L << 20, MultipartUpload.partSize(5L << 20, 100L << 30), "100 GiB in <= 10,000 parts");
    }
}
