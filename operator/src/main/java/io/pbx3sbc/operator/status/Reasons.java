package io.pbx3sbc.operator.status;

/**
 * Every condition type and reason the operator writes, in one place (docs/resources.md lists them).
 * Reasons are CamelCase, stable, and meant for alerts and ArgoCD health checks.
 */
public final class Reasons {
    private Reasons() {
    }

    // Condition types
    public static final String ACCEPTED = "Accepted";
    public static final String PUBLISHED = "Published";
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    public static final String SIGNING_KEY = "SigningKey";

    // SipDomain / DispatcherSet: Accepted
    public static final String COMPILED = "Compiled";

    // DispatcherSet: condition Healthy, from the edges' reports.
    public static final String HEALTHY = "Healthy";
    public static final String ALL_DESTINATIONS_UP = "AllDestinationsUp";
    public static final String DESTINATIONS_DOWN = "DestinationsDown";
    public static final String NO_HEALTHY_DESTINATION = "NoHealthyDestination";
    public static final String NO_EDGE_REPORTS = "NoEdgeReports";
    // DispatcherSet events.
    public static final String DESTINATION_DOWN = "DestinationDown";
    public static final String DESTINATION_UP = "DestinationUp";
    public static final String DESTINATION_DRAINED = "DestinationDrained";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String DISPATCHER_SET_NOT_FOUND = "DispatcherSetNotFound";
    public static final String DISPATCHER_SET_INVALID = "DispatcherSetInvalid";
    public static final String DOMAIN_CONFLICT = "DomainConflict";
    public static final String SET_ID_CONFLICT = "SetIdConflict";
    public static final String NOT_SELECTED = "NotSelectedByAnyFleet";

    // EdgeFleet: Published
    public static final String VERSION_PUBLISHED = "VersionPublished";
    public static final String UNCHANGED = "Unchanged";
    public static final String PUBLISH_FAILED = "PublishFailed";
    public static final String CREDENTIALS_MISSING = "CredentialsMissing";
    /** Event: spec.tls names a Secret that is absent or lacks tls.crt / tls.key (the edges cannot start). */
    public static final String TLS_SECRET_MISSING = "TlsSecretMissing";
    public static final String SIGNING_KEY_GENERATED = "SigningKeyGenerated";
    public static final String DIALOG_KEY_GENERATED = "DialogKeyGenerated";
    public static final String SIGNING_KEY_LOADED = "SigningKeyLoaded";
    public static final String SIGNING_KEY_INVALID = "SigningKeyInvalid";
    public static final String KEY_ROTATING = "KeyRotating";

    // EdgeFleet: Progressing
    public static final String CANDIDATE_PENDING = "CandidatePending";
    public static final String EDGES_SWITCHING = "EdgesSwitching";
    public static final String CONVERGED = "Converged";
    public static final String PROMOTION_PAUSED = "PromotionPaused";

    // EdgeFleet: Degraded (and Events)
    public static final String AS_EXPECTED = "AsExpected";
    public static final String VERSION_REJECTED = "VersionRejected";
    public static final String STAGING_DEADLINE_EXCEEDED = "StagingDeadlineExceeded";
    public static final String VERSION_PROMOTED = "VersionPromoted";
    public static final String RELEASE_POINTER_RESTORED = "ReleasePointerRestored";
    // EdgeFleet: condition Admitted (what the fleet asks of the operator).
    public static final String ADMITTED = "Admitted";
    public static final String ALLOWED = "Allowed";
    public static final String IMAGE_NOT_ALLOWED = "ImageNotAllowed";
    public static final String HOST_NETWORK_NOT_ALLOWED = "HostNetworkNotAllowed";
    public static final String STORE_CONFLICT = "StoreConflict";
    // EdgeFleet: condition SecureStore (whether edges hold a credential of their own).
    public static final String SECURE_STORE = "SecureStore";
    public static final String EDGE_CREDENTIALS_OWN = "EdgeCredentialsOwn";
    public static final String EDGE_CREDENTIALS_SHARED = "EdgeCredentialsShared";

    // EdgeFleet: Ready
    public static final String SERVING = "Serving";
    public static final String NO_ACTIVE_VERSION = "NoActiveVersion";
    public static final String NOT_PUBLISHED = "NotPublished";

    // EdgeFleet phases (status.phase)
    public static final String PHASE_READY = "Ready";
    public static final String PHASE_PROMOTING = "Promoting";
    public static final String PHASE_DEGRADED = "Degraded";
    public static final String PHASE_PAUSED = "Paused";
}
