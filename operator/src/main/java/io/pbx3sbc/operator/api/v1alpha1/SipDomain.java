package io.pbx3sbc.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A tenant domain and the DispatcherSet its calls go to. */
@Group(Api.GROUP)
@Version(Api.VERSION)
@ShortNames("sipd")
@Categories(Api.CATEGORY)
@AdditionalPrinterColumn(name = "Accepted", jsonPath = ".status.conditions[?(@.type==\"Accepted\")].status", type = AdditionalPrinterColumn.Type.STRING)
// Since: the routing version that first carried this object as it is now (its first fleet; -o wide names it).
@AdditionalPrinterColumn(name = "Since", jsonPath = ".status.fleets[0].version", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Fleet", jsonPath = ".status.fleets[0].fleet", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class SipDomain extends CustomResource<SipDomainSpec, SipDomainStatus> implements Namespaced {
}
