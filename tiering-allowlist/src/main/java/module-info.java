/**
 * An example tiering policy plugin ({@code type: allowlist}): provides a {@code TieringPolicyProvider}, exports
 * nothing, and finds the policy it falls back to among the installed providers.
 */
module io.litefleet.tiering.allowlist {
    requires io.litefleet.api;

    uses io.litefleet.api.tier.TieringPolicyProvider;

    provides io.litefleet.api.tier.TieringPolicyProvider
            with io.litefleet.tiering.allowlist.AllowlistTieringPolicyProvider;
}
