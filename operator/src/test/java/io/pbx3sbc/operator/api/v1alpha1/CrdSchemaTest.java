package io.pbx3sbc.operator.api.v1alpha1;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pbx3sbc.routingdb.model.DomainNames;
import io.pbx3sbc.routingdb.model.SipUri;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What `kubectl apply` will enforce, read from the committed CRDs. */
class CrdSchemaTest {
    static CustomResourceDefinition crd(String plural) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("../crds/pbx3sbc.io_" + plural + ".yaml"))) {
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
    }

    static JSONSchemaProps spec(CustomResourceDefinition crd) {
        return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    }

    @Test
    void namesShortNamesCategoryAndStatusSubresource() throws Exception {
        for (String[] k : new String[][] {{"sipdomains", "sipd"}, {"dispatchersets", "dset"}, {"edgefleets", "ef"}}) {
            CustomResourceDefinition crd = crd(k[0]);
            assertThat(crd.getSpec().getGroup()).isEqualTo("pbx3sbc.io");
            assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
            assertThat(crd.getSpec().getNames().getShortNames()).containsExactly(k[1]);
            assertThat(crd.getSpec().getNames().getCategories()).containsExactly("pbx3sbc");
            assertThat(crd.getSpec().getVersions().get(0).getSubresources().getStatus()).isNotNull();
        }
    }

    /** The operator reads unset promotion fields through Promotion.of: its defaults are the CRD's. */
    @Test
    void promotionDefaultsInTheOperatorAreTheOnesTheApiServerFillsIn() throws Exception {
        var promotion = spec(crd("edgefleets")).getProperties().get("promotion").getProperties();
        EdgeFleetSpec.Promotion defaults = EdgeFleetSpec.Promotion.of(new EdgeFleetSpec());
        assertThat(promotion.get("autoPromote").getDefault().asBoolean()).isEqualTo(defaults.autoPromote);
        assertThat(promotion.get("gatePercent").getDefault().asInt()).isEqualTo(defaults.gatePercent);
        assertThat(promotion.get("deadlineSeconds").getDefault().asInt()).isEqualTo(defaults.deadlineSeconds);
        assertThat(promotion.get("versionsRetained").getDefault().asInt()).isEqualTo(defaults.versionsRetained);
        assertThat(promotion.get("paused").getDefault().asBoolean()).isEqualTo(defaults.paused);

        EdgeFleetSpec explicitNulls = new EdgeFleetSpec();
        explicitNulls.promotion = new EdgeFleetSpec.Promotion();
        explicitNulls.promotion.gatePercent = null;
        explicitNulls.promotion.versionsRetained = 3;
        assertThat(EdgeFleetSpec.Promotion.of(explicitNulls).gatePercent).isEqualTo(100);
        assertThat(EdgeFleetSpec.Promotion.of(explicitNulls).versionsRetained).isEqualTo(3);
    }

    /** Summarising a bulk of routine statuses is the default: 100,000 writes would hold the API server for minutes. */
    @Test
    void sourceStatusDefaultsToExceptionsInTheSchemaAndTheClass() throws Exception {
        var sourceStatus = spec(crd("edgefleets")).getProperties().get("sourceStatus");
        assertThat(sourceStatus.getDefault().asText()).isEqualTo("Exceptions").isEqualTo(new EdgeFleetSpec().sourceStatus.name());
        assertThat(sourceStatus.getEnum()).extracting(n -> n.asText()).containsExactly("All", "Exceptions");
    }

    @Test
    void edgeFleetPrinterColumnsTellTheFleetsStateWithAgeLastAndDetailInWide() throws Exception {
        var columns = crd("edgefleets").getSpec().getVersions().get(0).getAdditionalPrinterColumns();
        assertThat(columns).filteredOn(c -> c.getPriority() == null || c.getPriority() == 0).extracting(c -> c.getName())
                .containsExactly("Phase", "Active", "Candidate", "Ready", "Live", "Serving", "Age");
        assertThat(columns).filteredOn(c -> c.getPriority() != null && c.getPriority() == 1).extracting(c -> c.getName())
                .containsExactly("Staged", "Rejecting", "Oldest", "Domains", "Left-Out");
        for (String plural : new String[] {"edgefleets", "sipdomains", "dispatchersets"}) {
            var all = crd(plural).getSpec().getVersions().get(0).getAdditionalPrinterColumns();
            assertThat(all.get(all.size() - 1).getName()).as("AGE last in kubectl get %s", plural).isEqualTo("Age");
        }
        assertThat(crd("sipdomains").getSpec().getVersions().get(0).getAdditionalPrinterColumns())
                .extracting(c -> c.getName()).containsSubsequence("Domain", "Accepted", "Since", "Age");
    }

    @Test
    void badObjectsAreRejectedByTheSchema() throws Exception {
        JSONSchemaProps sipd = spec(crd("sipdomains"));
        assertThat(sipd.getRequired()).contains("domain", "dispatcherSetRef");
        JSONSchemaProps dset = spec(crd("dispatchersets"));
        assertThat(dset.getRequired()).contains("setId", "destinations");
        assertThat(dset.getProperties().get("destinations").getMinItems()).isEqualTo(1L);
        JSONSchemaProps destination = dset.getProperties().get("destinations").getItems().getSchema();
        assertThat(destination.getProperties().get("weight").getMinimum()).isEqualTo(0.0);
        assertThat(dset.getProperties().get("algorithm").getPattern()).isEqualTo("^(round-robin|priority|weighted|hash-callid)$");
        JSONSchemaProps fleet = spec(crd("edgefleets"));
        assertThat(fleet.getRequired()).contains("store");
        assertThat(fleet.getProperties().get("promotion").getXKubernetesValidations()).isNotEmpty();
        // Every field says what it is for, so `kubectl explain` helps.
        assertThat(sipd.getProperties().values()).allSatisfy(p -> assertThat(p.getDescription()).isNotBlank());
        assertThat(dset.getProperties().values()).allSatisfy(p -> assertThat(p.getDescription()).isNotBlank());
        assertThat(fleet.getProperties().values()).allSatisfy(p -> assertThat(p.getDescription()).isNotBlank());
    }

    /** The schema's patterns (RE2, no look-ahead) agree with the routing-db validators the compiler uses. */
    @ParameterizedTest
    @ValueSource(strings = {"acme.voip.example.com", "a.b", "x", "Acme.example.com", "-bad.example.com", "bad_.example.com",
            "a..b", "tenant-1.example.com"})
    void domainPatternAgreesWithRoutingDb(String domain) {
        assertThat(Pattern.compile(Api.DOMAIN_PATTERN).matcher(domain).matches())
                .isEqualTo(DomainNames.isValid(domain));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sip:10.0.1.10:5060", "sips:pbx.example.com", "sip:[2001:db8::1]:5060;transport=tcp",
            "http://x", "sip:", "10.0.0.1:5060", "sip:host:5060;transport=udp"})
    void sipUriPatternAgreesWithRoutingDb(String uri) {
        boolean routingDbAccepts;
        try {
            SipUri.parse(uri);
            routingDbAccepts = true;
        } catch (IllegalArgumentException e) {
            routingDbAccepts = false;
        }
        assertThat(Pattern.compile(Api.SIP_URI_PATTERN).matcher(uri).matches()).isEqualTo(routingDbAccepts);
    }
}
