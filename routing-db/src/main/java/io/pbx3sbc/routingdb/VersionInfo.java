package io.pbx3sbc.routingdb;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Identity of one published routing version: the {@code routing_version} row minus the hash.
 * None of it is part of the content hash: the same content built twice hashes the same.
 *
 * @param sourceGenerations resource (kind/namespace/name) to the metadata.generation compiled in
 */
public record VersionInfo(long version, String fleet, Instant createdAt, Map<String, Long> sourceGenerations) {
    public VersionInfo {
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(createdAt, "createdAt");
        sourceGenerations = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(sourceGenerations));
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, got " + version);
        }
    }
}
