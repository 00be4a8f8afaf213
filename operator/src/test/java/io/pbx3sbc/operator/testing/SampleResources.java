package io.pbx3sbc.operator.testing;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The resources of one multi-document file in config/samples/, read into the API classes. */
public final class SampleResources {
    public static final Path SAMPLES = Path.of("../config/samples");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private SampleResources() {
    }

    public static <T> List<T> load(String file, Class<T> type) throws IOException {
        List<T> out = new ArrayList<>();
        for (String doc : Files.readString(SAMPLES.resolve(file)).split("(?m)^---\\s*$")) {
            if (doc.contains("kind:")) {
                out.add(SERIALIZATION.unmarshal(doc, type));
            }
        }
        return out;
    }
}
