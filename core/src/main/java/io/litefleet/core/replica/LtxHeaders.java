package io.litefleet.core.replica;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Reads the header of one LTX file of a replica: one ranged GET of its first 100 bytes. Stateless. */
public final class LtxHeaders {
    private LtxHeaders() {
    }

    /**
     * The header of the object under {@code key}, empty when there is none.
     *
     * @throws LtxFormatException when the object is not an LTX file
     * @throws ReplicaException   when reading fails (after the default retries)
     */
    public static Optional<LtxHeader> read(ReplicaTarget target, String key) throws IOException {
        try (InputStream in = RetryPolicy.DEFAULT.call(() -> target.client().get(key, 0, LtxHeader.SIZE))) {
            return Optional.of(LtxHeader.parse(in.readNBytes(LtxHeader.SIZE)));
        } catch (ReplicaException e) {
            if (e.failure() == ReplicaFailure.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
