package io.pbx3sbc.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A fleet of SIP edges: the tenants it serves, where its routing versions live, and how they are promoted. */
@Group(Api.GROUP)
@Version(Api.VERSION)
@ShortNames("ef")
@Categories(Api.CATEGORY)
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".spec.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.edgesReady", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Serving", jsonPath = ".status.edgesActive", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Active", jsonPath = ".status.activeVersion", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Candidate", jsonPath = ".status.candidateVersion", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class EdgeFleet extends CustomResource<EdgeFleetSpec, EdgeFleetStatus> implements Namespaced {
}
