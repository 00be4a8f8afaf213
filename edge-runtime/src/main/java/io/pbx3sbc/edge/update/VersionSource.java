package io.pbx3sbc.edge.update;

import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.Manifest;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Where an edge's routing versions come from and where it reports (S3 in production). */
public interface VersionSource {

    /** The release pointer when it changed since the last call (a conditional GET); empty when unchanged or absent. */
    Optional<ReleasePointer> pointerIfChanged() throws IOException;

    /** The signed manifest of a published version. */
    Manifest manifest(long version) throws IOException;

    /** Restores a published version's database into {@code target}. */
    void restore(long version, Path target) throws IOException, InterruptedException;

    /** Writes this edge's report for the operator's promotion gate. */
    void report(EdgeReport report) throws IOException;
}
