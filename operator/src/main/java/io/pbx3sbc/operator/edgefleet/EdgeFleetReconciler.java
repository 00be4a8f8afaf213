package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.pbx3sbc.operator.admin.OperatorMetrics;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleetSpec;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.operator.events.EventRecorder;
import io.pbx3sbc.operator.naming.FleetNames;
import io.pbx3sbc.operator.publish.FleetNudger;
import io.pbx3sbc.operator.publish.FleetPromoter;
import io.pbx3sbc.operator.publish.FleetPublisher;
import io.pbx3sbc.operator.publish.FleetSecrets;
import io.pbx3sbc.operator.publish.FleetSecrets.MissingSecretException;
import io.pbx3sbc.operator.publish.KeyRotation;
import io.pbx3sbc.operator.publish.LeadershipTerm;
import io.pbx3sbc.operator.publish.PromotionGate;
import io.pbx3sbc.operator.publish.ReleasePointerWriter;
import io.pbx3sbc.operator.publish.StoreConnector;
import io.pbx3sbc.operator.publish.VersionOutcome;
import io.pbx3sbc.operator.status.Reasons;
import io.pbx3sbc.routingdb.compile.RoutingCompiler.Compilation;
import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.Nudge;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.ObjectStore;
import io.pbx3sbc.routingdb.store.ObjectStoreException;
import io.pbx3sbc.routingdb.store.S3Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The single owner of compile and publish. Each reconcile of an EdgeFleet:
 * <ol>
 *   <li>collects the SipDomains and DispatcherSets it selects from the informer caches, its secrets;</li>
 *   <li>compiles them with the pure routing-db compiler and renders its edge workloads;</li>
 *   <li>publishes a new version when the content changed (nothing when it equals the active or
 *       candidate one), applies the workloads, and records each source object's verdict on its status;</li>
 *   <li>patches its own status when it changed.</li>
 * </ol>
 * A missing Secret is the user's to fix (a condition, no retry storm); an S3 failure throws so JOSDK
 * retries with backoff while everything already published stays as it was.
 */
@ControllerConfiguration(name = "edgefleet",
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
@GradualRetry(maxAttempts = Integer.MAX_VALUE, initialInterval = 1000, intervalMultiplier = 2, maxInterval = 15_000)
public final class EdgeFleetReconciler implements Reconciler<EdgeFleet>, Cleaner<EdgeFleet>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeFleetReconciler.class);
    /** How long a user-fixable problem (a missing Secret) waits before the next look. */
    static final Duration CONFIG_RETRY = Duration.ofSeconds(20);
    /** Even with unchanged inputs, compile and check the store again this often (drift in S3). */
    static final Duration RECOMPILE_AFTER = Duration.ofMinutes(5);
    /** How often edge reports are read while a version is on its way, and while all is quiet. */
    static final Duration PROMOTION_POLL = Duration.ofMillis(500);
    static final Duration IDLE_POLL = Duration.ofSeconds(10);
    /**
     * An edge that has not reported for this long (three 30-s heartbeats and slack) no longer holds
     * promotion back; an edge that stops cleanly says so at once (state {@code stopped}).
     */
    static final Duration LIVE_WINDOW = Duration.ofSeconds(100);
    /** How long an unchanged set of edge workloads goes without being compared with the cluster. */
    static final Duration WORKLOAD_RECHECK = Duration.ofMinutes(1);
    /** Rounds of nudge, read the reports, decide, in one reconcile: publish, then promote. */
    static final int NUDGE_ROUNDS = 3;
    /** Annotation asking for the promotion of one candidate when autoPromote is off. */
    public static final String PROMOTE_ANNOTATION = "pbx3sbc.io/promote";
    /**
     * Concurrent status writes to SipDomains and DispatcherSets. The API server bounds them (about 1.7 ms
     * of its CPU each), not the operator: 16 in flight wrote 20,000 statuses in 26.5 s where 4 took 36.7 s.
     */
    static final int STATUS_WRITERS = 16;

    /** What the reconciler needs from outside; {@code OperatorMain} wires the real ones. */
    /**
     * @param leadershipTerm this replica's leadership term (its lease's acquisition time, epoch millis): the
     *                       epoch of every release pointer it signs, so a stale leader's pointers sort lower
     * @param nudger         tells edges to look at once when the pointer changes; null: they poll (slowly)
     */
    public record Dependencies(FleetSecrets secrets, StoreConnector stores, EventRecorder events, OperatorMetrics metrics,
                               ChangeCoalescer coalescer, EdgeWorkloads.Defaults workloadDefaults, AdmissionRules admission,
                               Path workDir, Clock clock, LeadershipTerm leadershipTerm, FleetNudger nudger) {
    }

    private final Dependencies deps;
    /** Per fleet, what its reconciles remember ({@link FleetMemory}). */
    private final Map<String, FleetMemory> memory = new ConcurrentHashMap<>();
    private final SourceStatusRecorder statuses;

    public EdgeFleetReconciler(Dependencies deps) {
        this.deps = Objects.requireNonNull(deps);
        this.statuses = new SourceStatusRecorder(deps.events(), deps.clock(), STATUS_WRITERS);
    }

    /** SipDomain/DispatcherSet status writes queued and not yet done. */
    public int statusWritesPending() {
        return statuses.backlog();
    }

    /** Urgent ones among them: refusals, changes, health. */
    public int urgentStatusWritesPending() {
        return statuses.urgentBacklog();
    }

    /** Stops the background status writes. */
    @Override
    public void close() {
        statuses.close();
        if (deps.nudger() != null) {
            deps.nudger().close();
        }
    }

    @Override
    public List<EventSource<?, EdgeFleet>> prepareEventSources(EventSourceContext<EdgeFleet> context) {
        return List.of(
                sourceInformer(context, SipDomain.class),
                sourceInformer(context, DispatcherSet.class),
                new InformerEventSource<>(InformerEventSourceConfiguration.from(Deployment.class, EdgeFleet.class)
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(EdgeFleet.class)).build(), context),
                new InformerEventSource<>(InformerEventSourceConfiguration.from(DaemonSet.class, EdgeFleet.class)
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(EdgeFleet.class)).build(), context));
    }

    /**
     * A SipDomain or DispatcherSet change concerns every fleet of its namespace (selectors are applied in
     * reconcile, so a fleet's selector change is never missed). Status-only updates are ignored: they are
     * our own writes. The filters, called once per event, start the fleets' coalescing window; the mapper
     * stays free of side effects because JOSDK also calls it to keep its index.
     */
    private <R extends HasMetadata> InformerEventSource<R, EdgeFleet> sourceInformer(EventSourceContext<EdgeFleet> context,
                                                                                     Class<R> kind) {
        SecondaryToPrimaryMapper<R> toFleets = r -> context.getPrimaryCache().list(r.getMetadata().getNamespace())
                .map(ResourceID::fromResource).collect(Collectors.toSet());
        java.util.function.Consumer<R> changed = r -> toFleets.toPrimaryResourceIDs(r)
                .forEach(f -> deps.coalescer().changed(f.toString()));
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(kind, EdgeFleet.class)
                .withSecondaryToPrimaryMapper(toFleets)
                .withItemStore(new io.pbx3sbc.operator.compile.LeanItemStore<>())
                .withOnAddFilter(r -> {
                    changed.accept(r);
                    return true;
                })
                .withOnUpdateFilter((fresh, old) -> {
                    boolean relevant = !Objects.equals(fresh.getMetadata().getGeneration(), old.getMetadata().getGeneration())
                            || !Objects.equals(fresh.getMetadata().getLabels(), old.getMetadata().getLabels());
                    if (relevant) {
                        changed.accept(fresh);
                    }
                    return relevant;
                })
                .withOnDeleteFilter((r, unknownState) -> {
                    changed.accept(r);
                    return true;
                })
                .build(), context);
    }

    @Override
    public UpdateControl<EdgeFleet> reconcile(EdgeFleet fleet, Context<EdgeFleet> context) throws Exception {
        String key = ResourceID.fromResource(fleet).toString();
        Duration wait = deps.coalescer().waitBeforeCompile(key);
        if (!wait.isZero()) {
            return UpdateControl.<EdgeFleet>noUpdate().rescheduleAfter(wait);
        }
        MDC.put("resource", "EdgeFleet/" + fleet.getMetadata().getNamespace() + "/" + fleet.getMetadata().getName());
        try {
            return reconcileFleet(fleet, context);
        } finally {
            MDC.remove("resource");
        }
    }

    /**
     * One look at one fleet, as named steps. A step that cannot go on (a refusal, a missing Secret)
     * returns the control that says when to look again; S3 failures throw (JOSDK retries and
     * {@link #updateErrorStatus} says why).
     */
    private UpdateControl<EdgeFleet> reconcileFleet(EdgeFleet fleet, Context<EdgeFleet> context) throws Exception {
        Pass pass = new Pass(fleet, context, new FleetStatusBuilder(fleet, deps.clock().instant()));
        pass.status.edgesReady(edgesReady(fleet, context));
        UpdateControl<EdgeFleet> stop = admit(pass);
        if (stop == null) {
            stop = readInputs(pass);
        }
        if (stop != null) {
            return stop;
        }
        readStoreAndEdges(pass);
        compile(pass);
        if (pass.remembered.applied == null) {
            applyWorkloads(pass.client, fleet, pass.signing); // a fleet's first look: its edges exist even while the store fails
        }
        publish(pass);
        promote(pass);
        // The edge workloads, after the versions: they change rarely and cost API calls, so they stay off
        // the path from a change to the edges (an unchanged set is checked against the cluster once a minute).
        applyWorkloads(pass.client, fleet, pass.signing);
        recordVerdicts(pass);
        return pass.status.control(fleet).rescheduleAfter(pass.decision.converged() ? IDLE_POLL : PROMOTION_POLL);
    }

    /** What one reconcile of one fleet has found so far: each step fills in its part for the next. */
    private static final class Pass {
        final EdgeFleet fleet;
        final Context<EdgeFleet> context;
        final KubernetesClient client;
        final FleetStatusBuilder status;
        final long started = System.nanoTime();
        List<SipDomain> domains;
        List<DispatcherSet> sets;
        FleetSecrets.SigningKey key;
        FleetSecrets.S3Credentials credentials;
        S3Location location;
        ObjectStore store;
        FleetLayout layout;
        FleetMemory remembered;
        FleetPromoter promoter;
        List<EdgeReport> reports;
        List<EdgeReport> live;
        Signing signing;
        Compilation compilation;
        long compileMillis;
        /** Nothing changed since the last publish (same compilation, spec, key and store): skip the store. */
        boolean same;
        String inputs;
        /** The pointer as stored, when trusted (null: it was rewritten); what the edges last saw. */
        ReleasePointer stored;
        ReleasePointerWriter.Sink sink;
        FleetPublisher.Outcome outcome;
        PromotionGate.Decision decision;

        Pass(EdgeFleet fleet, Context<EdgeFleet> context, FleetStatusBuilder status) {
            this.fleet = fleet;
            this.context = context;
            this.client = context.getClient();
            this.status = status;
        }
    }

    /** 0. What the fleet asks of the operator, which runs its pods with the fleet's S3 credentials. */
    private UpdateControl<EdgeFleet> admit(Pass p) {
        java.util.Optional<AdmissionRules.Refusal> refusal = deps.admission().check(p.fleet, deps.workloadDefaults().edgeImage())
                .or(() -> StoreClaims.conflict(p.fleet, p.context.getPrimaryCache().list().toList()));
        if (refusal.isPresent()) {
            p.status.refused(refusal.get());
            warnOnce(p.fleet, p.status, refusal.get().reason(), refusal.get().message());
            return p.status.control(p.fleet).rescheduleAfter(CONFIG_RETRY);
        }
        p.status.admitted();
        p.status.secureStore(p.fleet.getSpec().store.edgeCredentialsSecretRef != null);
        return null;
    }

    /** 1. Inputs: the selected sources from the informer caches, and the secrets (generated on first use). */
    private UpdateControl<EdgeFleet> readInputs(Pass p) {
        EdgeFleet fleet = p.fleet;
        p.domains = selected(p.context, SipDomain.class, fleet, fleet.getSpec().domainSelector);
        p.sets = selected(p.context, DispatcherSet.class, fleet, fleet.getSpec().dispatcherSetSelector);
        try {
            p.key = deps.secrets().signingKey(fleet);
            p.credentials = deps.secrets().s3Credentials(fleet);
        } catch (MissingSecretException e) {
            p.status.credentialsMissing(e.getMessage());
            warnOnce(fleet, p.status, Reasons.CREDENTIALS_MISSING, e.getMessage());
            return p.status.control(fleet).rescheduleAfter(CONFIG_RETRY);
        }
        p.status.signingKey(p.key);
        if (deps.secrets().ensureDialogKey(fleet)) {
            deps.events().normal(fleet, Reasons.DIALOG_KEY_GENERATED, "Generated the edges' dialog key into Secret "
                    + FleetNames.dialogKeySecret(fleet) + " (it signs Record-Route and Via branches; all edges of the fleet share it).");
        }
        if (p.key.generated()) {
            deps.events().normal(fleet, Reasons.SIGNING_KEY_GENERATED, "Generated Ed25519 signing key " + p.key.keyId()
                    + " into Secret " + p.key.secretName() + "; back it up.");
        }
        return null;
    }

    /** 2. The store, the edges' reports, and which key signs (a key rotation moves through the edges). */
    private void readStoreAndEdges(Pass p) throws java.io.IOException {
        p.location = location(p.fleet, p.credentials);
        String fleetName = FleetNames.storeFleet(p.fleet);
        p.store = deps.stores().storeFor(key(p.fleet), p.location);
        p.layout = new FleetLayout(fleetName);
        p.remembered = memory.computeIfAbsent(key(p.fleet), k -> new FleetMemory(deps.workDir(), fleetName));
        p.promoter = new FleetPromoter(p.store, p.layout, deps.clock(), p.remembered.reports);
        p.reports = p.promoter.reports();
        p.live = liveReports(p.reports);
        p.signing = signing(p.fleet, p.key, p.live);
        if (p.status.signing(p.signing.plan())) {
            deps.events().normal(p.fleet, Reasons.KEY_ROTATING, p.signing.plan().message());
        }
    }

    /**
     * 3. Pure: compile (patching the last compile when a few domains changed). The same compilation (no
     * source changed) under the same fleet spec, key and store was published already: the frequent
     * reconciles of a promotion skip the hash and the store listing.
     */
    private void compile(Pass p) {
        long compiling = System.nanoTime();
        p.compilation = p.remembered.compile(p.domains, p.sets);
        p.compileMillis = (System.nanoTime() - compiling) / 1_000_000;
        p.inputs = p.fleet.getMetadata().getUid() + " " + p.fleet.getMetadata().getGeneration() + " "
                + p.signing.plan().signWith().keyId() + " " + p.location + " " + p.location.accessKeyId();
        FleetMemory.LastPublish last = p.remembered.lastPublish;
        p.same = last != null && last.compilation() == p.compilation && last.inputs().equals(p.inputs)
                && last.at().plus(RECOMPILE_AFTER).isAfter(deps.clock().instant());
    }

    /**
     * 4. Publish. The release pointer is built only on what can be trusted, and every pointer is signed and
     * written by the one writer.
     */
    private void publish(Pass p) throws java.io.IOException {
        EdgeFleet fleet = p.fleet;
        ReleasePointerWriter pointers = new ReleasePointerWriter(p.store, p.layout, p.signing.keys(), p.signing.trusted(),
                deps.leadershipTerm(), p.remembered.pointers, deps.clock());
        p.sink = next -> pointers.write(next, p.reports); // the reports as the pass last read them
        ReleasePointerWriter.Base base = pointers.current(p.reports);
        p.stored = base.distrusted() == null ? base.pointer() : null;
        ReleasePointer current = base.pointer();
        if (base.distrusted() != null) {
            current = p.sink.write(current); // put back a pointer the edges accept, before anything else
            deps.events().warning(fleet, Reasons.RELEASE_POINTER_RESTORED, "Rewrote the release pointer (active version "
                    + current.active() + ", sequence " + current.sequence() + "): " + base.distrusted() + ".");
        }
        FleetPublisher publisher = new FleetPublisher(p.store, p.layout, p.signing.keys(), deps.workDir(), deps.clock(), p.sink,
                p.remembered.files);
        var promotion = EdgeFleetSpec.Promotion.of(fleet.getSpec());
        Long pinned = promotion.pinnedVersion;
        // A version pinned after a key rotation may carry the retired key's signature: sign it again, once.
        String pinSigned = pinned == null ? null : pinned + ":" + p.signing.plan().signWith().keyId();
        if (p.signing.plan().resign() || (pinSigned != null && !pinSigned.equals(p.remembered.resignedPin))) {
            current = publisher.resign(current, pinned);
            if (pinSigned != null) {
                p.remembered.resignedPin = pinSigned;
            }
        }
        FleetMemory.LastPublish last = p.remembered.lastPublish;
        p.outcome = p.same ? FleetPublisher.unchanged(last.outcome(), current)
                : publisher.publish(p.compilation, promotion.versionsRetained, promotion.pinnedVersion, current);
        if (!p.same) {
            p.remembered.lastPublish = new FleetMemory.LastPublish(p.inputs, deps.clock().instant(), p.compilation, p.outcome);
        }
        if (p.outcome.published()) {
            Duration took = Duration.ofNanos(System.nanoTime() - p.started);
            deps.metrics().published(key(fleet), took);
            LOG.info("published routing version {} ({} domains, {} sets, {} left out) in {} ms (compile {} ms, {})",
                    p.outcome.version(), p.compilation.model().domains().size(), p.compilation.model().sets().size(),
                    p.compilation.problems().size(), took.toMillis(), p.compileMillis,
                    p.remembered.compiler.lastWasPatch() ? "patched" : "full");
            deps.events().normal(fleet, Reasons.VERSION_PUBLISHED, "Published routing version " + p.outcome.version()
                    + " (" + p.compilation.model().domains().size() + " domains) as the candidate.");
        }
        p.status.published(p.outcome, p.compilation);
    }

    /**
     * 5. The promotion gate: the edges' reports decide when the candidate becomes active. Push, then poll:
     * whenever this reconcile moved the pointer, the edges are nudged, answer once they have looked, and
     * their fresh reports decide the next step here and now (publish, stage, promote, switch).
     */
    private void promote(Pass p) throws java.io.IOException {
        PromotionGate.Decision decision = p.promoter.promote(p.outcome.pointer(), policy(p.fleet), p.reports, p.sink);
        announce(p.fleet, decision);
        ReleasePointer told = p.stored;
        for (int round = 0; round < NUDGE_ROUNDS && moved(told, decision.pointer()); round++) {
            told = decision.pointer();
            if (!nudge(p.live, told, p.signing.keys(), p.layout, p.remembered.reports)) {
                break; // no edge answered: they will find the pointer at their next poll
            }
            p.reports = p.promoter.reports();
            p.live = liveReports(p.reports);
                decision = p.promoter.promote(told, policy(p.fleet), p.reports, p.sink);
            announce(p.fleet, decision);
        }
        deps.metrics().versions(key(p.fleet), decision.pointer().active(), decision.pointer().candidate());
        p.status.promotion(decision);
        p.decision = decision;
    }

    /** 6. Verdicts on the sources (written in the background, refusals first), then the fleet's own backlog count. */
    private void recordVerdicts(Pass p) {
        EdgeFleet fleet = p.fleet;
        boolean summarise = fleet.getSpec().sourceStatus != EdgeFleetSpec.SourceStatusMode.All; // unset: the default, Exceptions
        p.status.sourcesSummarised(statuses.record(p.client, fleet.getMetadata().getNamespace(), fleet.getMetadata().getName(),
                all(p.context, SipDomain.class, fleet), all(p.context, DispatcherSet.class, fleet), p.domains, p.sets,
                p.compilation, p.outcome.version(), p.live, summarise));
        p.status.statusWritesPending(statuses.backlog(fleet.getMetadata().getNamespace(), fleet.getMetadata().getName()));
    }

    private void applyWorkloads(KubernetesClient client, EdgeFleet fleet, Signing signing) {
        List<HasMetadata> desired = EdgeWorkloads.desired(fleet,
                signing.plan().trusted().stream().map(KeyRotation.Key::publicKey).toList(), deps.workloadDefaults());
        String hash = desired.stream().map(WorkloadApplier::hash).collect(Collectors.joining(","));
        FleetMemory remembered = memory.get(key(fleet));
        FleetMemory.Applied last = remembered.applied;
        if (last != null && last.hash().equals(hash) && last.at().plus(WORKLOAD_RECHECK).isAfter(deps.clock().instant())) {
            return;
        }
        new WorkloadApplier(client).apply(fleet, desired);
        remembered.applied = new FleetMemory.Applied(hash, deps.clock().instant());
        EdgeFleetSpec.Tls tls = fleet.getSpec().tls;
        if (tls != null) { // edges cannot start without it: say so where kubectl describe shows it
            EdgeWorkloads.tlsSecretProblem(tls.secretName, client.secrets().inNamespace(fleet.getMetadata().getNamespace())
                    .withName(tls.secretName).get()).ifPresent(problem -> deps.events().warning(fleet, Reasons.TLS_SECRET_MISSING, problem));
        }
    }

    private void announce(EdgeFleet fleet, PromotionGate.Decision decision) {
        VersionOutcome kind = decision.kind();
        if (kind == VersionOutcome.PROMOTED) {
            deps.events().normal(fleet, Reasons.VERSION_PROMOTED, "Promoted routing version " + decision.decided()
                    + " (staged by " + decision.staged() + " of " + decision.live() + " live edges).");
        } else if (kind != null && kind.failed()) {
            deps.events().warning(fleet, kind.reason(), "Version " + decision.decided() + " " + decision.outcome());
        }
    }

    /** Whether {@code now} is another pointer than {@code before} (null: the stored one was not trusted). */
    private static boolean moved(ReleasePointer before, ReleasePointer now) {
        return before == null || before.epoch() != now.epoch() || before.sequence() != now.sequence();
    }

    /**
     * Nudges the live edges about {@code pointer}; true when at least one answered that it looked. Their
     * answers (each its report as written) go to the report cache, which takes them when they match the listing.
     */
    private boolean nudge(List<EdgeReport> live, ReleasePointer pointer, java.security.KeyPair keys, FleetLayout layout,
                          FleetPromoter.ReportCache reports) {
        if (deps.nudger() == null || live.isEmpty()) {
            return false;
        }
        long started = System.nanoTime();
        FleetNudger.Result r = deps.nudger().nudge(live, SigningKeys.sign(Nudge.of(pointer, deps.clock().instant()), keys));
        r.answers().forEach((edgeId, report) -> reports.offer(layout.edgeReport(edgeId), report));
        deps.metrics().nudged(r.nudged(), r.answered());
        LOG.debug("nudged {} edges about pointer sequence {}: {} answered in {} ms", r.nudged(), pointer.sequence(),
                r.answered(), (System.nanoTime() - started) / 1_000_000);
        return r.answered() > 0;
    }

    @Override
    public ErrorStatusUpdateControl<EdgeFleet> updateErrorStatus(EdgeFleet fleet, Context<EdgeFleet> context, Exception e) {
        String cause = e instanceof ObjectStoreException || e.getMessage() != null ? e.getMessage() : e.toString();
        deps.metrics().publishFailed(key(fleet));
        FleetStatusBuilder status = new FleetStatusBuilder(fleet, deps.clock().instant());
        status.publishFailed(cause);
        warnOnce(fleet, status, Reasons.PUBLISH_FAILED, cause);
        LOG.warn("EdgeFleet {}/{}: publish failed, will retry: {}", fleet.getMetadata().getNamespace(),
                fleet.getMetadata().getName(), cause);
        EdgeFleet patch = status.changed() ? status.patch(fleet) : null;
        return patch == null ? ErrorStatusUpdateControl.noStatusUpdate() : ErrorStatusUpdateControl.patchStatus(patch);
    }

    @Override
    public DeleteControl cleanup(EdgeFleet fleet, Context<EdgeFleet> context) throws Exception {
        String fleetName = fleet.getMetadata().getName();
        statuses.forget(context.getClient(), fleet.getMetadata().getNamespace(), fleetName, all(context, SipDomain.class, fleet),
                all(context, DispatcherSet.class, fleet));
        if (fleet.getSpec().store != null && Boolean.TRUE.equals(fleet.getSpec().store.deleteVersionsOnFleetDeletion)) {
            ObjectStore store = deps.stores().storeFor(key(fleet), location(fleet, deps.secrets().s3Credentials(fleet)));
            FleetLayout layout = new FleetLayout(FleetNames.storeFleet(fleet));
            for (String k : store.list(layout.fleetPrefix())) {
                store.delete(k);
            }
            LOG.info("EdgeFleet {}/{} deleted with its published versions", fleet.getMetadata().getNamespace(), fleetName);
        }
        deps.stores().forget(key(fleet));
        deps.coalescer().forget(key(fleet));
        FleetMemory forgotten = memory.remove(key(fleet));
        if (forgotten != null) {
            forgotten.files.forget();
        }
        deps.metrics().forget(key(fleet));
        return DeleteControl.defaultDelete();
    }

    static PromotionGate.Policy policy(EdgeFleet fleet) {
        var p = EdgeFleetSpec.Promotion.of(fleet.getSpec());
        Long manual = null;
        var annotations = fleet.getMetadata().getAnnotations();
        if (annotations != null && annotations.get(PROMOTE_ANNOTATION) != null) {
            try {
                manual = Long.parseLong(annotations.get(PROMOTE_ANNOTATION).trim());
            } catch (NumberFormatException e) {
                LOG.warn("EdgeFleet {}: ignoring annotation {}={}: not a version number", fleet.getMetadata().getName(),
                        PROMOTE_ANNOTATION, annotations.get(PROMOTE_ANNOTATION));
            }
        }
        return new PromotionGate.Policy(p.autoPromote, p.gatePercent, Duration.ofSeconds(p.deadlineSeconds), p.paused,
                p.pinnedVersion, manual, LIVE_WINDOW);
    }

    private static String key(EdgeFleet fleet) {
        return ResourceID.fromResource(fleet).toString();
    }

    private static S3Location location(EdgeFleet fleet, FleetSecrets.S3Credentials c) {
        var s = fleet.getSpec().store;
        return new S3Location(URI.create(s.endpoint), s.regionOrDefault(), s.bucket,
                FleetNames.storePrefix(fleet), !Boolean.FALSE.equals(s.pathStyle), c.accessKeyId(), c.secretAccessKey());
    }

    private Integer edgesReady(EdgeFleet fleet, Context<EdgeFleet> context) {
        String name = FleetNames.edges(fleet);
        if (Boolean.TRUE.equals(fleet.getSpec().hostNetwork)) {
            return context.getSecondaryResource(DaemonSet.class).filter(d -> name.equals(d.getMetadata().getName()))
                    .map(d -> d.getStatus() == null ? null : d.getStatus().getNumberReady()).orElse(0);
        }
        return context.getSecondaryResource(Deployment.class).filter(d -> name.equals(d.getMetadata().getName()))
                .map(d -> d.getStatus() == null ? null : d.getStatus().getReadyReplicas()).map(r -> r == null ? 0 : r)
                .orElse(0);
    }

    @SuppressWarnings("unchecked")
    private static <R extends HasMetadata> List<R> all(Context<EdgeFleet> context, Class<R> kind, EdgeFleet fleet) {
        var source = (InformerEventSource<R, EdgeFleet>) context.eventSourceRetriever().getEventSourceFor(kind);
        return source.list(fleet.getMetadata().getNamespace(), r -> true).toList();
    }

    private static <R extends HasMetadata> List<R> selected(Context<EdgeFleet> context, Class<R> kind, EdgeFleet fleet,
                                                            io.fabric8.kubernetes.api.model.LabelSelector selector) {
        return all(context, kind, fleet).stream()
                .filter(r -> r.getMetadata().getDeletionTimestamp() == null)
                .filter(r -> LabelSelectors.matches(selector, r.getMetadata().getLabels())).toList();
    }

    /**
     * Each selected object gets this fleet's verdict; objects it no longer selects lose this fleet's
     * entry. Only objects whose status changes are written.
     */
    /** Which key signs in this reconcile, and which the edges trust (see {@link KeyRotation}). */
    private record Signing(KeyRotation.Plan plan, java.security.KeyPair keys, io.pbx3sbc.routingdb.manifest.TrustedKeys trusted) {
    }

    private Signing signing(EdgeFleet fleet, FleetSecrets.SigningKey wanted, List<EdgeReport> live) {
        var s = fleet.getStatus() == null ? null : fleet.getStatus().signingKey;
        KeyRotation.Key wantedKey = new KeyRotation.Key(wanted.keyId(), SigningKeys.encodePublic(wanted.keys().getPublic()),
                wanted.secretName());
        KeyRotation.Key currentKey = s == null || s.keyId == null || s.publicKey == null ? null
                : new KeyRotation.Key(s.keyId, s.publicKey, s.secretName);
        java.util.Optional<FleetSecrets.SigningKey> old = currentKey == null || currentKey.keyId().equals(wanted.keyId())
                ? java.util.Optional.empty()
                : deps.secrets().signingKey(fleet, currentKey.secretName()).filter(k -> k.keyId().equals(currentKey.keyId()));
        KeyRotation.Plan plan = KeyRotation.decide(currentKey, wantedKey, old.isPresent(), live);
        java.security.KeyPair keys = plan.signWith().keyId().equals(wanted.keyId()) ? wanted.keys() : old.orElseThrow().keys();
        var trusted = io.pbx3sbc.routingdb.manifest.TrustedKeys.of(plan.trusted().stream()
                .map(k -> SigningKeys.decodePublic(k.publicKey())).toList());
        return new Signing(plan, keys, trusted);
    }

    /** Reports of edges heard from within the live window: the ones whose view of the backends counts. */
    private List<EdgeReport> liveReports(List<EdgeReport> reports) {
        Instant since = deps.clock().instant().minus(LIVE_WINDOW);
        return reports.stream().filter(r -> r.reportedAt() != null && r.reportedAt().isAfter(since)
                && !"stopped".equals(r.state())).toList();
    }

    /** One Warning event per transition into a failure reason (not one per retry). */
    private void warnOnce(EdgeFleet fleet, FleetStatusBuilder status, String reason, String message) {
        if (status.publishedReasonChangedTo(reason)) {
            deps.events().warning(fleet, reason, message);
        }
    }
}
