package io.pbx3sbc.edge.update;

import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.Manifest;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.LitestreamRestore;
import io.pbx3sbc.routingdb.store.ObjectStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** {@link VersionSource} over the fleet's S3 layout, restoring with the real litestream binary. */
public final class S3VersionSource implements VersionSource {
    private final ObjectStore store;
    private final FleetLayout layout;
    private final LitestreamRestore litestream;
    private final String edgeId;
    private String pointerEtag;

    public S3VersionSource(ObjectStore store, FleetLayout layout, LitestreamRestore litestream, String edgeId) {
        this.store = store;
        this.layout = layout;
        this.litestream = litestream;
        this.edgeId = edgeId;
    }

    @Override
    public synchronized Optional<ReleasePointer> pointerIfChanged() throws IOException {
        Optional<ObjectStore.Fetched> fetched = store.getIfChanged(layout.releasePointer(), pointerEtag);
        if (fetched.isEmpty() || fetched.get().notModified()) {
            return Optional.empty();
        }
        ReleasePointer p = ReleasePointer.fromJson(fetched.get().bytes());
        pointerEtag = fetched.get().etag();
        return Optional.of(p);
    }

    @Override
    public Manifest manifest(long version) throws IOException {
        byte[] json = store.get(layout.manifest(version))
                .orElseThrow(() -> new IOException("version " + version + " has no manifest in the store"));
        return Manifest.fromJson(json);
    }

    @Override
    public void restore(long version, Path target) throws IOException, InterruptedException {
        litestream.restore(layout.replicaPath(version), target);
    }

    @Override
    public void report(EdgeReport report) throws IOException {
        store.put(layout.edgeReport(edgeId), report.toJson(), "application/json");
    }
}
