package io.pbx3sbc.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The chart under test, rendered with helm-java (Helm 3 as a library, no cluster needed). */
final class Chart {
    static final Path DIR = Path.of("pbx3sbc-operator").toAbsolutePath();
    static final KubernetesSerialization YAML = new KubernetesSerialization();

    private Chart() {
    }

    static String render(String namespace, Map<String, Object> values) {
        TemplateCommand t = new Helm(DIR).template().withName("pbx3sbc").withNamespace(namespace).withKubeVersion("1.34.4");
        values.forEach(t::set);
        return t.call();
    }

    static List<HasMetadata> objects(String rendered) {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : rendered.split("(?m)^---\\s*$")) {
            if (doc.contains("kind:")) {
                out.add(YAML.unmarshal(doc));
            }
        }
        return out;
    }
}
