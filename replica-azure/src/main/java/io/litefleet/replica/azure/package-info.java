/**
 * The Azure Blob Storage replica backend ({@code abs}): upstream's layout, keys and metadata, on azure-storage-blob
 * with the JDK HTTP client.
 */
package io.litefleet.replica.azure;
