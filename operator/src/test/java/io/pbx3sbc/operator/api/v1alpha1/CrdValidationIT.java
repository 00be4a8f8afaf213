package io.pbx3sbc.operator.api.v1alpha1;

import io.pbx3sbc.operator.testing.LocalControlPlane;
import io.pbx3sbc.operator.testing.LocalControlPlane.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated CRDs on a real kube-apiserver, driven with kubectl as a user would: the samples apply,
 * every kind of bad object the schema can see is refused with a message naming the field, and the
 * printer columns, category and descriptions work.
 */
class CrdValidationIT {
    @TempDir
    static Path state;
    static LocalControlPlane cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalControlPlane.start(state);
        Result crds = cluster.kubectl(null, "apply", "--server-side", "-f", "crds/");
        assertThat(crds.exitCode()).as(crds.output()).isZero();
        Result established = cluster.kubectl(null, "wait", "--for=condition=Established", "--timeout=60s",
                "crd/sipdomains.pbx3sbc.io", "crd/dispatchersets.pbx3sbc.io", "crd/edgefleets.pbx3sbc.io");
        assertThat(established.exitCode()).as(established.output()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theSamplesApplyAndShowUsefulColumns() throws Exception {
        Result applied = cluster.kubectl(null, "apply", "-k", "config/samples");
        assertThat(applied.exitCode()).as(applied.output()).isZero();
        assertThat(applied.output()).contains("edgefleet.pbx3sbc.io/edge created", "sipdomain.pbx3sbc.io/acme created");

        Result fleets = cluster.kubectl(null, "get", "ef");
        // ./hack/update-crds.sh orders the columns as kubectl users expect: state first, AGE last.
        assertThat(fleets.output().lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("NAME", "PHASE", "ACTIVE", "CANDIDATE", "READY", "LIVE", "SERVING", "AGE");
        assertThat(cluster.kubectl(null, "get", "ef", "-o", "wide").output().lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("NAME", "PHASE", "ACTIVE", "CANDIDATE", "READY", "LIVE", "SERVING", "STAGED", "REJECTING",
                        "OLDEST", "DOMAINS", "LEFT-OUT", "AGE");
        Result sets = cluster.kubectl(null, "get", "dset");
        assertThat(sets.output()).contains("SETID", "ALGORITHM", "ACCEPTED", "SINCE").containsPattern("pbx-cluster-a\\s+10\\s+priority");
        assertThat(cluster.kubectl(null, "get", "sipd").output().lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("NAME", "DOMAIN", "SET", "ACCEPTED", "SINCE", "AGE");
        Result all = cluster.kubectl(null, "get", "pbx3sbc");
        assertThat(all.output()).contains("sipdomain.pbx3sbc.io/acme", "dispatcherset.pbx3sbc.io/pbx-cluster-a",
                "edgefleet.pbx3sbc.io/edge");
        Result tls = cluster.kubectl(null, "apply", "-f", "config/samples/pbx3sbc_v1alpha1_edgefleet_tls.yaml");
        assertThat(tls.output()).as("the TLS fleet sample is valid").contains("edgefleet.pbx3sbc.io/edge-tls created");
        Result explain = cluster.kubectl(null, "explain", "edgefleet.spec.store.credentialsSecretRef");
        assertThat(explain.output()).contains("accessKeyId and secretAccessKey");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            invalid domain name       | SipDomain     | domain: bad_domain..example.com        | spec.domain
            missing dispatcherSetRef  | SipDomain     | domain: ok.example.com                 | spec.dispatcherSetRef: Required value
            empty destination list    | DispatcherSet | destinations: []                       | spec.destinations: Invalid value
            destination not a SIP URI | DispatcherSet | destinations: [{uri: 'http://10.0.0.1'}] | spec.destinations[0].uri
            negative weight           | DispatcherSet | destinations: [{uri: 'sip:10.0.0.1', weight: -1}] | spec.destinations[0].weight
            unknown algorithm         | DispatcherSet | algorithm: random                      | spec.algorithm
            destination over websocket | DispatcherSet | destinations: [{uri: 'sip:10.0.0.1;transport=ws'}] | the edge reaches backends over udp, tcp or tls only
            sips over udp             | DispatcherSet | destinations: [{uri: 'sips:pbx.example.com;transport=udp'}] | a sips: URI means TLS
            pinned version 0 (CEL)    | EdgeFleet     | promotion: {pinnedVersion: 0}          | pinnedVersion is a published version number
            tls caller without a cert | EdgeFleet     | callerTransports: [tls]                | callerTransports names tls, but tls
            client CA missing         | EdgeFleet     | tls: {secretName: edge-tls, verifyClients: Required} | verifyClients Optional or Required needs clientCA
            traffic policy on ClusterIP | EdgeFleet   | service: {externalTrafficPolicy: Local} | externalTrafficPolicy applies to NodePort and LoadBalancer
            unknown transport         | EdgeFleet     | callerTransports: [sctp]               | spec.callerTransports[0]
            bucket name too short     | EdgeFleet     | promotion: {}                          | spec.store.bucket
            """)
    void theSchemaRefusesABadObjectWithAClearMessage(String what, String kind, String field, String expected)
            throws Exception {
        String yaml = switch (kind) {
            case "SipDomain" -> """
                    apiVersion: pbx3sbc.io/v1alpha1
                    kind: SipDomain
                    metadata: {name: bad}
                    spec:
                      %s
                    %s""".formatted(field, field.startsWith("domain:") && !expected.contains("Required")
                    ? "  dispatcherSetRef: pbx-cluster-a\n" : "");
            case "DispatcherSet" -> """
                    apiVersion: pbx3sbc.io/v1alpha1
                    kind: DispatcherSet
                    metadata: {name: bad}
                    spec:
                      setId: 99
                      %s
                    %s""".formatted(field, field.startsWith("destinations") ? "" : "  destinations: [{uri: 'sip:10.0.0.1'}]\n");
            default -> """
                    apiVersion: pbx3sbc.io/v1alpha1
                    kind: EdgeFleet
                    metadata: {name: bad}
                    spec:
                      store: {endpoint: 'http://minio:9000', bucket: '%s', credentialsSecretRef: s3}
                      %s
                    """.formatted(expected.startsWith("spec.store.bucket") ? "b" : "routing", field);
        };
        Result r = cluster.kubectl(yaml, "apply", "-f", "-");
        assertThat(r.exitCode()).as(what + ":\n" + r.output()).isNotZero();
        assertThat(r.output()).as(what).contains("is invalid").contains(expected);
    }
}
