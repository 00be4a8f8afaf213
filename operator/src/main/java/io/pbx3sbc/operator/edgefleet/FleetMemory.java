package io.pbx3sbc.operator.edgefleet;

import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.operator.compile.SourceCache;
import io.pbx3sbc.operator.publish.FleetPromoter;
import io.pbx3sbc.operator.publish.FleetPublisher;
import io.pbx3sbc.operator.publish.ReleasePointerWriter;
import io.pbx3sbc.operator.publish.VersionFiles;
import io.pbx3sbc.routingdb.compile.IncrementalCompiler;
import io.pbx3sbc.routingdb.compile.RoutingCompiler.Compilation;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What the operator remembers about one fleet between its reconciles, in one place. All of it may be lost
 * (a restart, a new leader): each part only saves work or requests, and is rebuilt from the cluster and
 * the store. Used by one reconcile at a time (JOSDK never runs two for one resource).
 */
final class FleetMemory {
    /** The custom resources as compiler inputs, per resourceVersion. */
    final SourceCache sources = new SourceCache();
    /** The last compile, patched when a few domains change. */
    final IncrementalCompiler compiler = new IncrementalCompiler();
    /** The last version file built, patched by the next build. */
    final VersionFiles files;
    /** The newest release pointer this operator wrote or trusted. */
    final ReleasePointerWriter.Memory pointers = new ReleasePointerWriter.Memory();
    /** The edges' reports by ETag: only changed ones are fetched. */
    final FleetPromoter.ReportCache reports = new FleetPromoter.ReportCache();
    /** What was last published, and from which inputs (equal inputs skip the publish path). */
    LastPublish lastPublish;
    /** The workloads last applied and when: an unchanged set is not rewritten or re-read. */
    Applied applied;
    /** "version:keyId" of the pinned version last checked for its signature. */
    String resignedPin;

    record LastPublish(String inputs, Instant at, Compilation compilation, FleetPublisher.Outcome outcome) {
    }

    record Applied(String hash, Instant at) {
    }

    FleetMemory(Path workDir, String storeFleet) {
        this.files = new VersionFiles(workDir, storeFleet);
    }

    /** Compiles the selected sources, patching the last compile when only a few SipDomains changed. */
    Compilation compile(List<SipDomain> domains, List<DispatcherSet> sets) {
        return compiler.compile(sources.domains(domains), sources.sets(sets));
    }
}
