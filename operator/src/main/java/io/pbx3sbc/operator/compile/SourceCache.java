package io.pbx3sbc.operator.compile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.routingdb.compile.Sources.DomainSource;
import io.pbx3sbc.routingdb.compile.Sources.SetSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link ResourceSources} remembered per object and resourceVersion: with 100,000 SipDomains, mapping
 * each again (timestamps parsed, records built) at every reconcile costs more than the change itself.
 * An object's resourceVersion changes with every write to it, so an entry is never stale. One per fleet.
 */
public final class SourceCache {
    private final Memo<SipDomain, DomainSource> domains = new Memo<>(ResourceSources::domain);
    private final Memo<DispatcherSet, SetSource> sets = new Memo<>(ResourceSources::set);

    public List<DomainSource> domains(List<SipDomain> resources) {
        return domains.map(resources);
    }

    public List<SetSource> sets(List<DispatcherSet> resources) {
        return sets.map(resources);
    }

    private static final class Memo<R extends HasMetadata, S> {
        private final Function<R, S> mapping;
        private Map<String, Entry<S>> entries = new HashMap<>();

        Memo(Function<R, S> mapping) {
            this.mapping = mapping;
        }

        List<S> map(List<R> resources) {
            List<S> out = new ArrayList<>(resources.size());
            for (R r : resources) {
                String key = r.getMetadata().getUid() == null ? r.getMetadata().getName() : r.getMetadata().getUid();
                String version = r.getMetadata().getResourceVersion();
                Entry<S> e = entries.get(key);
                if (e == null || version == null || !version.equals(e.resourceVersion())) {
                    e = new Entry<>(version, mapping.apply(r));
                    entries.put(key, e);
                }
                out.add(e.source());
            }
            if (entries.size() > resources.size() * 2 + 16) { // deleted objects: start over rather than leak
                entries = new HashMap<>();
            }
            return out;
        }
    }

    private record Entry<S>(String resourceVersion, S source) {
    }
}
