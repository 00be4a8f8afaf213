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
// kubectl get edgefleet: phase and versions first, then edges (Ready counts pods, whichever workload
// kind; Live and Serving count edges that report), AGE last as everywhere in kubectl; -o wide adds the
// edges still staging, the ones refusing a version, and the oldest version an edge serves.
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Active", jsonPath = ".status.activeVersion", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Candidate", jsonPath = ".status.candidateVersion", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.edgesReady", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Live", jsonPath = ".status.edgesTotal", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Serving", jsonPath = ".status.edgesActive", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Staged", jsonPath = ".status.edgesStaged", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Rejecting", jsonPath = ".status.edgesRejecting", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Oldest", jsonPath = ".status.oldestEdgeVersion", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Domains", jsonPath = ".status.domains", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Left-Out", jsonPath = ".status.leftOut", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class EdgeFleet extends CustomResource<EdgeFleetSpec, EdgeFleetStatus> implements Namespaced {
}
