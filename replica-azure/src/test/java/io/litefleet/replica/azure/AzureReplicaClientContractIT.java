package io.litefleet.replica.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.sas.AccountSasPermission;
import com.azure.storage.common.sas.AccountSasResourceType;
import com.azure.storage.common.sas.AccountSasService;
import com.azure.storage.common.sas.AccountSasSignatureValues;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.testkit.ReplicaClientContract;
import io.litefleet.testkit.server.Azurite;
import io.litefleet.testkit.server.ServerExtension;
import java.io.InputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The replica client contract against Azurite, plus what is Azure's own: blocks, pages, batches, SAS, metadata. */
class AzureReplicaClientContractIT extends ReplicaClientContract {
    static final String CONTAINER = "litefleet";

    @RegisterExtension
    static final ServerExtension<Azurite> AZURITE = ServerExtension.azurite(CONTAINER);

    /** Shared-key settings for the running Azurite. */
    static Settings settings(Azurite a, String container) {
        return Settings.of("test", Map.of("bucket", container, "account-name", a.accountName(),
                "account-key", a.accountKey(), "endpoint", a.endpoint()));
    }

    @Override
    protected ReplicaClient openClient() {
        return new AzureReplicaClientProvider().create(settings(AZURITE.get(), CONTAINER));
    }

    private AzureReplicaClient tuned(AzureReplicaClient.Tuning tuning, Map<String, String> env, Settings s) {
        return AzureReplicaClient.open(AzureSettings.of(s, env), tuning);
    }

    @Test
    void list_andDelete_crossPagesAndBatches() throws Exception {
        try (AzureReplicaClient c = tuned(new AzureReplicaClient.Tuning(8 << 20, 7, 5), Map.of(),
                settings(AZURITE.get(), CONTAINER))) {
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
    void put_largerThanABlock_isStagedAndCommittedWhole() throws Exception {
        byte[] data = bytes(42, 1_000_003);
        try (AzureReplicaClient c = tuned(new AzureReplicaClient.Tuning(64 << 10, 5000, 256), Map.of(),
                settings(AZURITE.get(), CONTAINER))) {
            assertEquals(data.length, c.put(base() + "blocks", ObjectBody.of(data), PutOptions.DEFAULT).size());
            try (InputStream in = c.get(base() + "blocks")) {
                assertArrayEquals(data, in.readAllBytes());
            }
            ReplicaException e = org.junit.jupiter.api.Assertions.assertThrows(ReplicaException.class,
                    () -> c.put(base() + "blocks", ObjectBody.of(data), PutOptions.createOnly()));
            assertEquals(ReplicaFailure.PRECONDITION_FAILED, e.failure(), e.getMessage());
            assertEquals(1, c.list(base()).size(), "only the committed blob is listed: " + c.list(base()));
        }
    }

    @Test
    void timestamp_isStoredAsUpstreamDoes() throws Exception {
        Instant created = Instant.parse("2025-03-04T05:06:07.120Z");
        client().put(base() + "ts.ltx", ObjectBody.of(new byte[3]), PutOptions.DEFAULT.withTimestamp(created));
        BlobProperties raw = rawContainer().getBlobClient(base() + "ts.ltx").getProperties();
        assertEquals(Map.of("litestreamtimestamp", "2025-03-04T05:06:07.12Z"), raw.getMetadata(),
                "upstream's key (no hyphen) and Go's RFC3339Nano");
        assertEquals("application/octet-stream", raw.getContentType());
        assertEquals("Hot", raw.getAccessTier().toString());
        assertEquals(created, client().list(base()).get(0).createdAt(), "listings carry the timestamp too");
    }

    @Test
    void sasToken_fromTheEnvironment_authorizesEveryOperation() throws Exception {
        String sas = rawContainer().getServiceClient().generateAccountSas(new AccountSasSignatureValues(
                OffsetDateTime.now().plusHours(1), AccountSasPermission.parse("rwdlac"),
                AccountSasService.parse("b"), AccountSasResourceType.parse("sco")));
        Settings s = Settings.of("test", Map.of("bucket", CONTAINER, "account-name", AZURITE.get().accountName(),
                "endpoint", AZURITE.get().endpoint()));
        try (AzureReplicaClient c = tuned(AzureReplicaClient.Tuning.DEFAULT,
                Map.of(AzureSettings.ENV_SAS_TOKEN, "?" + sas), s)) {
            c.put(base() + "sas/a", ObjectBody.of(new byte[] {1, 2}), PutOptions.DEFAULT);
            assertEquals(2, c.stat(base() + "sas/a").orElseThrow().size());
            assertEquals(1, c.list(base() + "sas/").size());
            c.delete(List.of(base() + "sas/a"));
            assertTrue(c.list(base() + "sas/").isEmpty());
        }
    }

    @Test
    void missingContainer_isNotFoundNamingItWithAzuresMessageOnly() throws Exception {
        try (AzureReplicaClient c = tuned(AzureReplicaClient.Tuning.DEFAULT, Map.of(),
                settings(AZURITE.get(), "absent-container"))) {
            ReplicaException e = org.junit.jupiter.api.Assertions.assertThrows(ReplicaException.class,
                    () -> c.list("db/"));
            assertEquals(ReplicaFailure.NOT_FOUND, e.failure(), e.getMessage());
            assertTrue(e.getMessage().contains("abs://" + AZURITE.get().accountName() + "@absent-container")
                    && e.getMessage().contains("404 ContainerNotFound"), e.getMessage());
            assertTrue(!e.getMessage().contains("<?xml") && !e.getMessage().contains("\n"),
                    "one line, no XML: " + e.getMessage());
        }
    }

    static BlobContainerClient rawContainer() {
        return new BlobServiceClientBuilder().endpoint(AZURITE.get().endpoint())
                .httpClient(AzureHttp.client(AzureHttp.executor()))
                .credential(new StorageSharedKeyCredential(AZURITE.get().accountName(), AZURITE.get().accountKey()))
                .buildClient().getBlobContainerClient(CONTAINER);
    }
}
