/**
 * The LTX v3 file codec, byte-compatible with github.com/superfly/ltx v0.5.2 as used by Litestream v0.5.16:
 * header and trailer values, streaming {@link io.litefleet.core.ltx.LtxEncoder} and
 * {@link io.litefleet.core.ltx.LtxDecoder}, the rolling database {@link io.litefleet.core.ltx.Checksums} and a
 * whole-file {@link io.litefleet.core.ltx.LtxVerifier}. Not exported from the module.
 */
package io.litefleet.core.ltx;
