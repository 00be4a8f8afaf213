package io.pbx3sbc.routingdb.store;

import java.net.URI;
import java.util.Objects;

/**
 * Where a fleet's versions live: an S3 or S3-compatible (MinIO, S3Proxy) endpoint, bucket and key
 * prefix, with static credentials.
 *
 * @param endpoint  e.g. {@code http://minio.storage:9000}; null means AWS's own endpoint for the region
 * @param prefix    key prefix, empty or ending in '/'
 * @param pathStyle path-style addressing, which MinIO and S3Proxy need
 */
public record S3Location(URI endpoint, String region, String bucket, String prefix, boolean pathStyle,
                         String accessKeyId, String secretAccessKey) {
    public S3Location {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        prefix = prefix == null ? "" : prefix;
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
    }

    @Override
    public String toString() {
        // Never print the secret.
        return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
    }
}
