package io.pbx3sbc.routingdb.compile;

import java.util.Comparator;
import java.util.Objects;

/** A resource by kind, namespace and name, e.g. {@code SipDomain/tenants/acme}. */
public record ObjectRef(String kind, String namespace, String name) implements Comparable<ObjectRef> {
    public static final String SIP_DOMAIN = "SipDomain";
    public static final String DISPATCHER_SET = "DispatcherSet";

    private static final Comparator<ObjectRef> ORDER = Comparator.comparing(ObjectRef::kind)
            .thenComparing(ObjectRef::namespace).thenComparing(ObjectRef::name);

    public ObjectRef {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public int compareTo(ObjectRef o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return kind + "/" + namespace + "/" + name;
    }
}
