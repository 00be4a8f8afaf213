package io.pbx3sbc.operator.events;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Kubernetes Events for what users should see in {@code kubectl describe}: publishes, rejections, failures. */
public interface EventRecorder {
    void normal(HasMetadata about, String reason, String message);

    void warning(HasMetadata about, String reason, String message);
}
