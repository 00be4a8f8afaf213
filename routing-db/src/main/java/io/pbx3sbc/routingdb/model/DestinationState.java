package io.pbx3sbc.routingdb.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * A destination's administrative state, set by people (not by health probes).
 *
 * <p>In the {@code dispatcher} table both non-active states carry Kamailio's {@code DS_DISABLED_DST}
 * flag (4): Kamailio's dispatcher then selects the destination for no new request and sends it no
 * probe, while requests inside dialogs already up on it still reach it along their Record-Route,
 * which is what a drain needs. Draining is told apart from disabled by {@code state=draining} in
 * {@code attrs} (Kamailio ignores attributes it does not know), so {@code routing-db import} gives
 * back the state that was written.
 */
public enum DestinationState {
    /** Takes new dialogs; probed. */
    ACTIVE("active"),
    /** Takes no new dialog; requests of dialogs already up on it still reach it; still probed. */
    DRAINING("draining"),
    /** Takes nothing, not even in-dialog requests; not probed. */
    DISABLED("disabled");

    /** Kamailio's {@code DS_INACTIVE_DST}: the destination starts down until a probe brings it up. */
    public static final int KAMAILIO_INACTIVE = 1;
    /** Kamailio's {@code DS_DISABLED_DST}: administratively out of selection and probing. */
    public static final int KAMAILIO_DISABLED = 4;
    /** The {@code attrs} entry that marks a disabled-flagged row as draining. */
    static final String DRAINING_ATTR = "state=draining";

    private final String wireName;

    DestinationState(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in resources, e.g. {@code draining}. */
    public String wireName() {
        return wireName;
    }

    /** Whether a new dialog (an initial request) may be sent to the destination. */
    public boolean takesNewDialogs() {
        return this == ACTIVE;
    }

    /** Whether the edge probes the destination. */
    public boolean probed() {
        return this != DISABLED;
    }

    public static DestinationState fromWireName(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (DestinationState s : values()) {
            if (s.wireName.equals(wanted)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown destination state '" + name + "', expected one of "
                + Arrays.stream(values()).map(DestinationState::wireName).toList());
    }
}
