package io.pbx3sbc.edge.dispatch;

import io.pbx3sbc.edge.routing.HealthView;
import io.pbx3sbc.routingdb.model.Probing;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Destination health with the seed's dispatcher semantics, keyed by destination URI so it survives
 * routing version swaps. A destination starts up (as Kamailio's dispatcher starts them active);
 * {@code probingThreshold} failures in a row mark it down, {@code inactiveThreshold} good probe
 * replies in a row bring it back. Only probes decide: a relayed request that got no answer makes the
 * prober ask at once (see {@link OptionsProber#probeSoon}), but never marks a destination down by
 * itself, because an overloaded edge loses answers from perfectly healthy backends and must not then
 * mark all of them down and refuse every call.
 *
 * <p>Pure state: no timers and no I/O; the prober and the proxy feed it.
 */
public final class HealthTracker implements HealthView {

    /** What a report changed, so the caller logs each transition exactly once. */
    public enum Transition { NONE, WENT_UP, WENT_DOWN }

    private static final class State {
        volatile boolean up = true;
        int failures;
        int successes;
        String lastReason = "";
    }

    /** One destination's health, for /status and metrics. */
    public record Snapshot(boolean up, String lastReason) {
    }

    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    @Override
    public boolean isUp(String uri) {
        State s = states.get(uri);
        return s == null || s.up;
    }

    /** A probe answered with {@code code} (0: no answer in time). */
    public Transition probeResult(String uri, Probing probing, int code) {
        boolean ok = code > 0 && probing.replyCodes().contains(code);
        String reason = code == 0 ? "no reply to OPTIONS within " + probing.timeoutMillis() + " ms"
                : ok ? "replied " + code : "replied " + code + ", expected " + probing.replyCodesText();
        Transition[] out = {Transition.NONE};
        states.compute(uri, (k, s) -> {
            State st = s == null ? new State() : s;
            st.lastReason = reason;
            if (ok) {
                st.failures = 0;
                st.successes++;
                if (!st.up && st.successes >= probing.inactiveThreshold()) {
                    st.up = true;
                    out[0] = Transition.WENT_UP;
                }
            } else {
                st.successes = 0;
                st.failures++;
                if (st.up && st.failures >= probing.probingThreshold()) {
                    st.up = false;
                    out[0] = Transition.WENT_DOWN;
                }
            }
            return st;
        });
        return out[0];
    }

    /** Forgets destinations no longer in any set, so the map does not grow across versions. */
    public void retainOnly(java.util.Set<String> uris) {
        states.keySet().retainAll(uris);
    }

    public Map<String, Snapshot> snapshot() {
        Map<String, Snapshot> out = new TreeMap<>();
        states.forEach((uri, s) -> out.put(uri, new Snapshot(s.up, s.lastReason)));
        return out;
    }
}
