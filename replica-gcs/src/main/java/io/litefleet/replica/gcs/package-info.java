/**
 * The gcs replica backend. google-cloud-storage splits packages across jars and can never be a named module, so
 * this plugin has no module descriptor: it is loaded through its own class loader and {@code META-INF/services}.
 */
package io.litefleet.replica.gcs;
