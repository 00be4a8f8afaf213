package io.pbx3sbc.routingdb;

import io.pbx3sbc.routingdb.model.RoutingModel;

import java.util.Optional;

/**
 * A routing database read into memory.
 *
 * @param version       the {@code routing_version} row; empty for a classic (seed) file
 * @param schemaVersion 0 for a classic file without {@code routing_version}
 * @param storedSha256  the content hash the file claims; null for a classic file
 * @param contentSha256 the content hash recomputed from the rows that were read
 */
public record RoutingDb(Optional<VersionInfo> version, int schemaVersion, String storedSha256,
                        String contentSha256, RoutingModel model) {
}
