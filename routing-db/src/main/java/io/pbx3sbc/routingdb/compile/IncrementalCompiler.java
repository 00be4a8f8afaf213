package io.pbx3sbc.routingdb.compile;

import io.pbx3sbc.routingdb.compile.RoutingCompiler.Compilation;
import io.pbx3sbc.routingdb.compile.RoutingCompiler.SetPhase;
import io.pbx3sbc.routingdb.compile.Sources.DomainSource;
import io.pbx3sbc.routingdb.compile.Sources.SetSource;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.RoutingModel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link RoutingCompiler} that remembers its last compile and, when only a few SipDomains changed,
 * patches that result instead of compiling every object again. Its answer is always equal to a full
 * compile of the same sources (its tests hold it to that); it compiles in full whenever a shortcut could
 * differ: a DispatcherSet changed (every domain depends on the sets), many domains changed, or a changed
 * domain's old or new name is claimed by another object (who keeps a contested name depends on all claimants).
 * Not thread-safe: one per fleet, used by its reconcile.
 */
public final class IncrementalCompiler {
    /** Above this many changed domains (or a hundredth of them), a full compile is as cheap. */
    static final int MAX_PATCHED = 1_000;

    private final RoutingCompiler full = new RoutingCompiler();
    private List<SetSource> sets;
    private SetPhase setPhase;
    private Map<ObjectRef, DomainSource> domains = Map.of();
    /** How many domain sources name each domain string, valid or not: a count above one is a possible conflict. */
    private Map<String, Integer> claims = Map.of();
    private Compilation last;
    private boolean lastWasPatch;

    public Compilation compile(List<DomainSource> domainSources, List<SetSource> setSources) {
        Compilation patched = last == null || !sameSets(setSources) ? null : patch(domainSources);
        lastWasPatch = patched != null;
        if (patched == null) {
            patched = full.compile(domainSources, setSources);
            sets = List.copyOf(setSources);
            setPhase = RoutingCompiler.compileSets(setSources);
            Map<ObjectRef, DomainSource> byRef = new HashMap<>(domainSources.size() * 2);
            Map<String, Integer> counts = new HashMap<>(domainSources.size() * 2);
            for (DomainSource d : domainSources) {
                byRef.put(d.ref(), d);
                counts.merge(String.valueOf(d.domain()), 1, Integer::sum);
            }
            domains = byRef;
            claims = counts;
        }
        last = patched;
        return patched;
    }

    /** The same set sources in any order (an informer lists them in no fixed order). */
    private boolean sameSets(List<SetSource> setSources) {
        return setSources.size() == sets.size() && new java.util.HashSet<>(setSources).equals(new java.util.HashSet<>(sets));
    }

    /** Whether the last {@link #compile} patched the one before it (for logs and tests). */
    public boolean lastWasPatch() {
        return lastWasPatch;
    }

    /** The previous result patched with the changed domains, or null when a full compile is needed. */
    private Compilation patch(List<DomainSource> domainSources) {
        Map<ObjectRef, DomainSource> now = new HashMap<>(domainSources.size() * 2);
        List<ObjectRef> touched = new ArrayList<>();
        int limit = Math.max(MAX_PATCHED, domainSources.size() / 100);
        int kept = 0;
        for (DomainSource d : domainSources) {
            now.put(d.ref(), d);
            DomainSource before = domains.get(d.ref());
            kept += before == null ? 0 : 1;
            if (!d.equals(before)) {
                touched.add(d.ref());
            }
        }
        if (kept < domains.size()) { // some were deleted
            for (ObjectRef gone : domains.keySet()) {
                if (!now.containsKey(gone)) {
                    touched.add(gone);
                }
            }
        }
        if (touched.isEmpty()) {
            domains = now;
            return last;
        }
        if (touched.size() > limit || contested(touched, now)) {
            return null;
        }
        for (ObjectRef ref : touched) {
            DomainSource before = domains.get(ref);
            DomainSource after = now.get(ref);
            if (before != null) {
                claims.merge(String.valueOf(before.domain()), -1, Integer::sum);
            }
            if (after != null) {
                claims.merge(String.valueOf(after.domain()), 1, Integer::sum);
            }
        }
        if (contested(touched, now)) {
            return null; // the claims are recounted by the full compile
        }

        // No touched name is contested, before or after: each touched object stands alone.
        List<Domain> model = new ArrayList<>(last.model().domains());
        List<Problem> problems = new ArrayList<>(last.problems());
        Map<String, Long> generations = new TreeMap<>(last.sourceGenerations());
        java.util.Set<ObjectRef> touchedSet = new java.util.HashSet<>(touched);
        problems.removeIf(p -> touchedSet.contains(p.ref()));
        for (ObjectRef ref : touched) {
            DomainSource before = domains.get(ref);
            if (before != null && generations.remove(ref.toString()) != null) {
                int at = indexOf(model, before.domain());
                if (at >= 0) {
                    model.remove(at);
                }
            }
        }
        for (ObjectRef ref : touched) {
            DomainSource after = now.get(ref);
            if (after == null) {
                continue;
            }
            Domain d = RoutingCompiler.compileDomain(after, setPhase, problems);
            if (d != null) {
                int at = indexOf(model, d.domain());
                if (at >= 0) {
                    return null; // cannot happen with uncontested names; a full compile is the safe answer
                }
                model.add(-at - 1, d);
                generations.put(ref.toString(), after.generation());
            }
        }
        problems.sort(RoutingCompiler.PROBLEM_ORDER);
        domains = now;
        return new Compilation(new RoutingModel(model, last.model().sets()), List.copyOf(problems), generations);
    }

    /** Whether a touched object's old or new domain name has more than one claimant in {@link #claims}. */
    private boolean contested(List<ObjectRef> touched, Map<ObjectRef, DomainSource> now) {
        for (ObjectRef ref : touched) {
            for (DomainSource d : new DomainSource[] {domains.get(ref), now.get(ref)}) {
                if (d != null && claims.getOrDefault(String.valueOf(d.domain()), 0) > 1) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Binary search in a list sorted by domain name (as {@link RoutingModel} keeps it). */
    private static int indexOf(List<Domain> sorted, String domain) {
        return Collections.binarySearch(sorted, null, (a, b) -> {
            String x = a == null ? domain : a.domain();
            String y = b == null ? domain : b.domain();
            return x.compareTo(y);
        });
    }
}
