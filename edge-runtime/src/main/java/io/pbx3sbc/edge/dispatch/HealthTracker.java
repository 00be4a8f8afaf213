package io.pbx3sbc.edge.dispatch;

import io.pbx3sbc.edge.routing.Backend;
import io.pbx3sbc.edge.routing.HealthView;
import io.pbx3sbc.routingdb.model.Probing;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Destination health with the seed's dispatcher semantics, keyed by destination URI so it survives
 * routing version swaps. A destination starts up (as Kamailio's dispatcher starts them active), or
 * down when its Kamailio flags carry {@code DS_INACTIVE_DST};
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
        volatile boolean up;
        int failures;
        int successes;
        String lastReason = "";
        /** When the destination last went up or down (or was first probed), epoch millis. */
        long sinceMillis;
        /** Why it last went down: {@code timeout} or {@code reply}; empty while up. */
        String downKind = "";

        State(boolean up, long now) {
            this.up = up;
            this.sinceMillis = now;
        }
    }

    /**
     * One destination's health, for /status, metrics and the edge's report.
     *
     * @param sinceMillis when it last changed between up and down (epoch millis)
     * @param downKind    {@code timeout} (no answer to OPTIONS) or {@code reply} (an answer not accepted); empty when up
     */
    public record Snapshot(boolean up, String lastReason, long sinceMillis, String downKind) {
    }

    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    @Override
    public boolean isUp(String uri) {
        State s = states.get(uri);
        return s == null || s.up;
    }

    /** A destination never probed is up, unless its Kamailio flags say it starts inactive. */
    @Override
    public boolean isUp(Backend b) {
        State s = states.get(b.uri());
        return s == null ? !b.startsInactive() : s.up;
    }

    /**
     * A probe answered with {@code code} (0: no answer in time), at {@code nowMillis}.
     *
     * @param startsInactive the destination's Kamailio flags say it starts down (its first state only)
     */
    public Transition probeResult(String uri, Probing probing, int code, boolean startsInactive, long nowMillis) {
        boolean ok = code > 0 && probing.replyCodes().contains(code);
        String reason = code == 0 ? "no reply to OPTIONS within " + probing.timeoutMillis() + " ms"
                : ok ? "replied " + code : "replied " + code + ", expected " + probing.replyCodesText();
        Transition[] out = {Transition.NONE};
        states.compute(uri, (k, s) -> {
            State st = s == null ? new State(!startsInactive, nowMillis) : s;
            st.lastReason = reason;
            if (ok) {
                st.failures = 0;
                st.successes++;
                if (!st.up && st.successes >= probing.inactiveThreshold()) {
                    st.up = true;
                    st.sinceMillis = nowMillis;
                    st.downKind = "";
                    out[0] = Transition.WENT_UP;
                }
            } else {
                st.successes = 0;
                st.failures++;
                if (st.up && st.failures >= probing.probingThreshold()) {
                    st.up = false;
                    st.sinceMillis = nowMillis;
                    st.downKind = code == 0 ? "timeout" : "reply";
                    out[0] = Transition.WENT_DOWN;
                }
            }
            return st;
        });
        return out[0];
    }

    /** {@link #probeResult(String, Probing, int, boolean, long)} for a destination that starts up. */
    public Transition probeResult(String uri, Probing probing, int code) {
        return probeResult(uri, probing, code, false, System.currentTimeMillis());
    }

    /** Forgets destinations no longer in any set, so the map does not grow across versions. */
    public void retainOnly(java.util.Set<String> uris) {
        states.keySet().retainAll(uris);
    }

    public Map<String, Snapshot> snapshot() {
        Map<String, Snapshot> out = new TreeMap<>();
        states.forEach((uri, s) -> out.put(uri, new Snapshot(s.up, s.lastReason, s.sinceMillis, s.downKind)));
        return out;
    }
}
