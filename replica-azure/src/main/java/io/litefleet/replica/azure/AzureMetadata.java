package io.litefleet.replica.azure;

import io.litefleet.api.replica.PutOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * User metadata names between Litefleet and Azure. Azure metadata names must be C# identifiers, so hyphens cannot
 * be stored: {@link PutOptions#TIMESTAMP} ({@code litestream-timestamp}) is stored as {@code litestreamtimestamp},
 * exactly as upstream stores it ({@code abs.MetadataKeyTimestamp}), and other kebab-case names have their
 * hyphens stored as underscores (and read back as hyphens). Stateless.
 */
final class AzureMetadata {
    /** Upstream's name for the LTX timestamp in Azure. */
    static final String AZURE_TIMESTAMP = "litestreamtimestamp";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private AzureMetadata() {
    }

    /** Azure names for Litefleet's entries, or the first name Azure cannot store. */
    static Result toAzure(Map<String, String> metadata) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String name = e.getKey().equals(PutOptions.TIMESTAMP) ? AZURE_TIMESTAMP : e.getKey().replace('-', '_');
            if (!IDENTIFIER.matcher(name).matches()) {
                return new Result(Map.of(), Optional.of(e.getKey()));
            }
            out.put(name, e.getValue());
        }
        return new Result(out, Optional.empty());
    }

    /** Litefleet's names for what Azure returned (names are case-insensitive there: the timestamp's is matched so). */
    static Map<String, String> fromAzure(Map<String, String> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String name = e.getKey();
            out.put(name.equalsIgnoreCase(AZURE_TIMESTAMP) ? PutOptions.TIMESTAMP : name.replace('_', '-'),
                    e.getValue());
        }
        return out;
    }

    /**
     * Converted metadata, or the name that cannot be stored.
     *
     * @param metadata the Azure names and values
     * @param rejected a Litefleet name that is not storable, if any
     */
    record Result(Map<String, String> metadata, Optional<String> rejected) {
    }
}
