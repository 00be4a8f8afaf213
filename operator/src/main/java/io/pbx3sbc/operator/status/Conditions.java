package io.pbx3sbc.operator.status;

import io.pbx3sbc.operator.api.v1alpha1.Condition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sets one condition in a list the Kubernetes way: the transition time moves only when the status
 * changes, and nothing changes (so no status write happens) when type, status, reason, message and
 * generation are all the same.
 */
public final class Conditions {
    private Conditions() {
    }

    /** @return the new list, or the same list instance when nothing changed */
    public static List<Condition> set(List<Condition> current, String type, boolean status, String reason, String message,
                                      long generation, Instant now) {
        return set(current, type, status ? "True" : "False", reason, message, generation, now);
    }

    /** The same with {@code status} True, False or Unknown. */
    public static List<Condition> set(List<Condition> current, String type, String s, String reason, String message,
                                      long generation, Instant now) {
        List<Condition> list = current == null ? new ArrayList<>() : current;
        for (Condition c : list) {
            if (c.type.equals(type)) {
                if (s.equals(c.status) && reason.equals(c.reason) && message.equals(c.message)
                        && Objects.equals(c.observedGeneration, generation)) {
                    return list;
                }
                List<Condition> out = new ArrayList<>();
                for (Condition other : list) {
                    out.add(other == c ? condition(type, s, reason, message, generation,
                            s.equals(c.status) ? c.lastTransitionTime : now.toString()) : other);
                }
                return out;
            }
        }
        List<Condition> out = new ArrayList<>(list);
        out.add(condition(type, s, reason, message, generation, now.toString()));
        return out;
    }

    private static Condition condition(String type, String status, String reason, String message, long generation,
                                       String since) {
        Condition c = new Condition();
        c.type = type;
        c.status = status;
        c.reason = reason;
        c.message = message;
        c.observedGeneration = generation;
        c.lastTransitionTime = since;
        return c;
    }
}
