package io.pbx3sbc.routingdb.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One row of the Kamailio-native {@code dispatcher} table.
 *
 * <p>The weight lives where Kamailio keeps it, as {@code weight=N} inside {@code attrs}, so that
 * Kamailio's weight-based algorithm reads the same number we route by. {@code attrs} here is
 * the rest of the attribute string (without the weight), may be empty, never null.
 *
 * <p>The administrative {@link DestinationState} is a field of its own; {@code flags} holds the other
 * Kamailio flag bits. The columns carry both as Kamailio reads them (see {@link #flagsColumn()}). A
 * {@code flags} value with Kamailio's disabled bit given to the constructor means
 * {@link DestinationState#DISABLED}, so a row imported from a classic edge keeps its meaning.
 */
public record Destination(int setId, String uri, int flags, int priority, int weight, String attrs,
                          DestinationState state) implements Comparable<Destination> {

    public static final int DEFAULT_WEIGHT = 1;

    /** An active destination (or a disabled one when {@code flags} has Kamailio's disabled bit). */
    public Destination(int setId, String uri, int flags, int priority, int weight, String attrs) {
        this(setId, uri, flags, priority, weight, attrs, DestinationState.ACTIVE);
    }

    public Destination {
        Objects.requireNonNull(uri, "uri");
        attrs = attrs == null ? "" : attrs;
        state = state == null ? DestinationState.ACTIVE : state;
        if ((flags & DestinationState.KAMAILIO_DISABLED) != 0) {
            state = state == DestinationState.ACTIVE ? DestinationState.DISABLED : state;
            flags &= ~DestinationState.KAMAILIO_DISABLED;
        }
        SipUri.parse(uri);
        if (weight < 0 || weight > 100) {
            throw new IllegalArgumentException("weight of " + uri + " must be 0..100, got " + weight);
        }
        if (priority < 0) {
            throw new IllegalArgumentException("priority of " + uri + " must not be negative, got " + priority);
        }
        if (flags < 0) {
            throw new IllegalArgumentException("flags of " + uri + " must not be negative, got " + flags);
        }
        if (attrs.contains("weight=")) {
            throw new IllegalArgumentException("attrs of " + uri + " must not carry weight=; use the weight field");
        }
        if (attrs.contains("state=")) {
            throw new IllegalArgumentException("attrs of " + uri + " must not carry state=; use the state field");
        }
    }

    /** Whether the edge may start a new dialog on this destination. */
    public boolean takesNewDialogs() {
        return state.takesNewDialogs();
    }

    /** The {@code flags} column: the other bits, plus Kamailio's disabled bit unless the destination is active. */
    public int flagsColumn() {
        return state == DestinationState.ACTIVE ? flags : flags | DestinationState.KAMAILIO_DISABLED;
    }

    /** The {@code attrs} column: Kamailio's {@code weight=N}, the draining mark, then the remaining attributes. */
    public String attrsColumn() {
        StringBuilder s = new StringBuilder("weight=").append(weight);
        if (state == DestinationState.DRAINING) {
            s.append(';').append(DestinationState.DRAINING_ATTR);
        }
        if (!attrs.isEmpty()) {
            s.append(';').append(attrs);
        }
        return s.toString();
    }

    /**
     * Reads a {@code dispatcher} row: splits {@code attrs} into weight, state mark and the rest (classic
     * rows may lack a weight), and the state from Kamailio's disabled bit.
     */
    public static Destination fromColumns(int setId, String uri, int flags, int priority, String attrsColumn) {
        int weight = DEFAULT_WEIGHT;
        boolean drainingMark = false;
        List<String> rest = new ArrayList<>();
        if (attrsColumn != null && !attrsColumn.isEmpty()) {
            for (String part : attrsColumn.split(";")) {
                if (part.equals(DestinationState.DRAINING_ATTR)) {
                    drainingMark = true;
                } else if (part.startsWith("weight=")) {
                    try {
                        weight = Integer.parseInt(part.substring("weight=".length()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("destination " + uri + " has a non-numeric weight in attrs '" + attrsColumn + "'");
                    }
                } else if (!part.isEmpty()) {
                    rest.add(part);
                }
            }
        }
        DestinationState state = drainingMark ? DestinationState.DRAINING
                : (flags & DestinationState.KAMAILIO_DISABLED) != 0 ? DestinationState.DISABLED : DestinationState.ACTIVE;
        return new Destination(setId, uri, flags, priority, weight, String.join(";", rest), state);
    }

    /**
     * Table order: by set, then priority with the highest value first (Kamailio's meaning: its
     * priority-ordered algorithm tries higher values first), then URI.
     */
    @Override
    public int compareTo(Destination o) {
        int c = Integer.compare(setId, o.setId);
        if (c == 0) {
            c = Integer.compare(o.priority, priority);
        }
        if (c == 0) {
            c = uri.compareTo(o.uri);
        }
        return c;
    }
}
