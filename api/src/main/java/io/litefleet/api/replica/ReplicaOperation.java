package io.litefleet.api.replica;

import java.util.Locale;

/**
 * What a request to a replica destination does: one value per {@link ReplicaClient} method ({@code stat} is
 * {@link #HEAD}). A closed set, for counting requests and labelling metrics.
 */
public enum ReplicaOperation {
    /** {@link ReplicaClient#put}: an object stored. */
    PUT,
    /** {@link ReplicaClient#get}: an object, or a range of it, fetched. */
    GET,
    /** {@link ReplicaClient#list}: the objects under a prefix listed. */
    LIST,
    /** {@link ReplicaClient#delete}: a batch of objects deleted. */
    DELETE,
    /** {@link ReplicaClient#stat}: an object's size, time and metadata read (an S3 HEAD). */
    HEAD;

    /** The lower-case name, as logs and metric labels spell it: {@code put}, {@code head}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
