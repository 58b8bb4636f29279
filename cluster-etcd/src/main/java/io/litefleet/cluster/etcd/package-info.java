/**
 * The etcd coordinator ({@code cluster: {type: etcd}}): one lease per instance kept alive at a third of its TTL,
 * ownership keys created by transaction and attached to the lease (the key's create revision is the fencing token),
 * and a watch for released keys, all through etcd's v3 JSON gateway ({@code /v3/...}) on {@code java.net.http}.
 */
package io.litefleet.cluster.etcd;
