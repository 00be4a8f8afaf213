package io.pbx3sbc.operator.publish;

import io.pbx3sbc.operator.status.Reasons;

/**
 * What happened to a version, as the release pointer's history writes it on the wire ({@code published},
 * {@code failed: rejected by edge-1 (...)}). The one place those strings are made and read: everything
 * else switches on the kind.
 */
public enum VersionOutcome {
    PUBLISHED("published", null),
    PINNED("pinned", null),
    PROMOTED("promoted", null),
    REJECTED("failed: rejected by ", Reasons.VERSION_REJECTED),
    NOT_STAGED("failed: not staged within ", Reasons.STAGING_DEADLINE_EXCEEDED),
    /** Written by another tool, or a future operator: shown as it is, decided on as nothing. */
    OTHER("", null);

    private final String wire;
    private final String reason;

    VersionOutcome(String wire, String reason) {
        this.wire = wire;
        this.reason = reason;
    }

    public static VersionOutcome of(String wire) {
        if (wire == null) {
            return OTHER;
        }
        for (VersionOutcome o : values()) {
            if (o != OTHER && (o.failed() ? wire.startsWith(o.wire) : wire.equals(o.wire))) {
                return o;
            }
        }
        return wire.startsWith("failed") ? NOT_STAGED : OTHER;
    }

    /** The history text: the kind's words, then the detail (who rejected it and why; which edges were late). */
    public String wire(String detail) {
        return detail == null ? wire : wire + detail;
    }

    public boolean failed() {
        return reason != null;
    }

    /** The condition reason and Event reason of a failure; null for the others. */
    public String reason() {
        return reason;
    }

    /** A version put up for staging (published or pinned): the staging deadline counts from it. */
    public boolean proposed() {
        return this == PUBLISHED || this == PINNED;
    }
}
