package io.litefleet.replica.gcs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.testkit.ReplicaClientContract;
import io.litefleet.testkit.server.FakeGcsServer;
import io.litefleet.testkit.server.ServerExtension;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The replica client contract against fake-gcs-server, plus what is GCS's own: chunks, pages, batches, metadata. */
class GcsReplicaClientContractIT extends ReplicaClientContract {
    static final String BUCKET = "litefleet";

    @RegisterExtension
    static final ServerExtension<FakeGcsServer> GCS = ServerExtension.fakeGcs(BUCKET);

    static GcsReplicaClient open(String emulatorHost, GcsReplicaClient.Tuning tuning) throws ReplicaException {
        return GcsReplicaClient.open(GcsSettings.of(Settings.of("test", Map.of("bucket", BUCKET)),
                Map.of(GcsSettings.ENV_EMULATOR, emulatorHost)), tuning);
    }

    @Override
    protected ReplicaClient openClient() throws ReplicaException {
        return open(GCS.get().emulatorHost(), GcsReplicaClient.Tuning.DEFAULT);
    }

    @Test
    void list_andDelete_crossPagesAndBatches() throws Exception {
        try (GcsReplicaClient c = open(GCS.get().emulatorHost(), new GcsReplicaClient.Tuning(8 << 20, 7, 5))) {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 33; i++) {
                keys.add(base() + "p/" + String.format("%03d", i));
                c.put(keys.get(i), ObjectBody.of(new byte[] {(byte) i}), PutOptions.DEFAULT);
            }
            assertEquals(keys, c.list(base() + "p/").stream().map(ObjectInfo::key).toList(), "5 pages of 7");
            List<String> gone = new ArrayList<>(keys.subList(0, 23));
            gone.add(base() + "p/absent");
            c.delete(gone); // 5 batches of 5, one key absent
            assertEquals(keys.subList(23, 33), c.list(base() + "p/").stream().map(ObjectInfo::key).toList());
        }
    }

    @Test
    void put_largerThanAChunk_isResumableAndPublishedWhole() throws Exception {
        byte[] data = bytes(42, 1_000_003);
        try (GcsReplicaClient c = open(GCS.get().emulatorHost(), new GcsReplicaClient.Tuning(256 << 10, 1000, 100))) {
            assertEquals(data.length, c.put(base() + "chunks", ObjectBody.of(data), PutOptions.DEFAULT).size());
            try (InputStream in = c.get(base() + "chunks")) {
                assertArrayEquals(data, in.readAllBytes());
            }
            ReplicaException e = assertThrows(ReplicaException.class,
                    () -> c.put(base() + "chunks", ObjectBody.of(data), PutOptions.createOnly()));
            assertEquals(ReplicaFailure.PRECONDITION_FAILED, e.failure(), e.getMessage());
            try (InputStream in = c.get(base() + "chunks")) {
                assertArrayEquals(data, in.readAllBytes(), "the first content stays");
            }
        }
    }

    @Test
    void timestamp_isStoredAsUpstreamDoes() throws Exception {
        Instant created = Instant.parse("2025-03-04T05:06:07.120Z");
        client().put(base() + "ts.ltx", ObjectBody.of(new byte[3]), PutOptions.DEFAULT.withTimestamp(created));
        String raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(GCS.get().url()
                + "/storage/v1/b/" + BUCKET + "/o/" + base().replace("/", "%2F") + "ts.ltx")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertEquals(true, raw.replace(" ", "").contains("\"litestream-timestamp\":\"2025-03-04T05:06:07.12Z\""),
                "upstream's key and Go's RFC3339Nano in the object's JSON: " + raw);
        assertEquals(created, client().list(base()).get(0).createdAt(), "listings carry the timestamp too");
    }
}
