/**
 * The s3 replica backend: AWS S3 and S3-compatible stores through the AWS SDK for Java v2, in upstream Litestream's
 * {@code <path>/<level %04x>/<min>-<max>.ltx} layout with its {@code litestream-timestamp} object metadata.
 */
package io.litefleet.replica.s3;
