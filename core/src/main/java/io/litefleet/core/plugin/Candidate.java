package io.litefleet.core.plugin;

import java.util.Objects;

/**
 * A provider instance found by a {@link PluginSource}, before the registry checks its key.
 *
 * @param info     what it is and where it came from
 * @param provider the instance; implements {@code info.kind().spi()}
 */
record Candidate(PluginInfo info, Object provider) {
    Candidate {
        Objects.requireNonNull(info, "info");
        if (!info.kind().spi().isInstance(provider)) {
            throw new IllegalArgumentException(provider + " does not implement " + info.kind().spi().getName());
        }
    }

    /** A candidate whose key is read from the provider itself. */
    static Candidate of(PluginKind kind, Object provider, String origin) {
        return new Candidate(new PluginInfo(kind, String.valueOf(kind.keyOf(provider)), provider.getClass().getName(),
                origin), provider);
    }
}
