package io.pbx3sbc.operator.events;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/** core/v1 Events. Failing to record one is logged and otherwise ignored: events never fail a reconcile. */
public final class KubernetesEventRecorder implements EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventRecorder.class);
    private static final String COMPONENT = "pbx3sbc-operator";

    private final KubernetesClient client;

    public KubernetesEventRecorder(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public void normal(HasMetadata about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    @Override
    public void warning(HasMetadata about, String reason, String message) {
        record(about, "Warning", reason, message);
    }

    private void record(HasMetadata about, String type, String reason, String message) {
        String now = Instant.now().toString();
        String ns = about.getMetadata().getNamespace();
        try {
            client.v1().events().inNamespace(ns).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(about.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())
                            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000)))
                    .withNamespace(ns).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion())
                            .withKind(about.getKind()).withName(about.getMetadata().getName()).withNamespace(ns)
                            .withUid(about.getMetadata().getUid())
                            .withResourceVersion(about.getMetadata().getResourceVersion()).build())
                    .withType(type).withReason(reason).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warn("could not record {} event {} on {}/{}: {}", type, reason, about.getKind(),
                    about.getMetadata().getName(), e.getMessage());
        }
    }
}
