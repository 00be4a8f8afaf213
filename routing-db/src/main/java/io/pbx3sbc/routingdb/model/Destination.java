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
 */
public record Destination(int setId, String uri, int flags, int priority, int weight, String attrs)
        implements Comparable<Destination> {

    public static final int DEFAULT_WEIGHT = 1;

    public Destination {
        Objects.requireNonNull(uri, "uri");
        attrs = attrs == null ? "" : attrs;
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
    }

    /** The {@code attrs} column: Kamailio's {@code weight=N}, then the remaining attributes. */
    public String attrsColumn() {
        return attrs.isEmpty() ? "weight=" + weight : "weight=" + weight + ";" + attrs;
    }

    /** Splits an {@code attrs} column into weight and the rest (classic rows may lack a weight). */
    public static Destination fromColumns(int setId, String uri, int flags, int priority, String attrsColumn) {
        int weight = DEFAULT_WEIGHT;
        List<String> rest = new ArrayList<>();
        if (attrsColumn != null && !attrsColumn.isEmpty()) {
            for (String part : attrsColumn.split(";")) {
                if (part.startsWith("weight=")) {
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
        return new Destination(setId, uri, flags, priority, weight, String.join(";", rest));
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
