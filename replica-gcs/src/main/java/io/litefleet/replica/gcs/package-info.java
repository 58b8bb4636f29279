/**
 * The Google Cloud Storage replica backend ({@code gs}): upstream's layout and metadata over the JSON API. It has no
 * module descriptor: google-cloud-storage splits packages across jars and can never be a named module, so the plugin
 * is loaded through its own class loader and {@code META-INF/services}.
 */
package io.litefleet.replica.gcs;
