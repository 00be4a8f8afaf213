package io.pbx3sbc.routingdb.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pbx3sbc.routingdb.compile.Sources.DestinationSource;
import io.pbx3sbc.routingdb.compile.Sources.DomainSource;
import io.pbx3sbc.routingdb.compile.Sources.ProbingSource;
import io.pbx3sbc.routingdb.compile.Sources.RateLimitSource;
import io.pbx3sbc.routingdb.compile.Sources.SetSource;
import io.pbx3sbc.routingdb.model.DestinationState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads SipDomain and DispatcherSet manifests from YAML files or folders (multi-document files
 * allowed; other kinds such as EdgeFleet or a kustomization are skipped), remembering which file
 * each object came from so that errors can name it.
 */
public final class ResourceFiles {
    public static final String API_VERSION = "pbx3sbc.io/v1alpha1";
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());

    /** What was read: the sources, where each came from, and documents that could not be read at all. */
    public record Loaded(List<DomainSource> domains, List<SetSource> sets, Map<ObjectRef, Path> origins,
                         List<String> errors) {
    }

    public Loaded load(List<Path> paths) throws IOException {
        List<DomainSource> domains = new ArrayList<>();
        List<SetSource> sets = new ArrayList<>();
        Map<ObjectRef, Path> origins = new HashMap<>();
        List<String> errors = new ArrayList<>();
        for (Path file : expand(paths)) {
            int index = 0;
            try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                while (docs.hasNext()) {
                    JsonNode doc = docs.next();
                    index++;
                    if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
                        continue;
                    }
                    String where = file + " (document " + index + ")";
                    try {
                        readDocument(doc, file, domains, sets, origins, errors, where);
                    } catch (IllegalArgumentException e) {
                        errors.add(where + ": " + e.getMessage());
                    }
                }
            } catch (IOException | RuntimeException e) {
                errors.add(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return new Loaded(domains, sets, origins, errors);
    }

    private static void readDocument(JsonNode doc, Path file, List<DomainSource> domains, List<SetSource> sets,
                                     Map<ObjectRef, Path> origins, List<String> errors, String where) {
        String kind = doc.path("kind").asText("");
        if (!kind.equals(ObjectRef.SIP_DOMAIN) && !kind.equals(ObjectRef.DISPATCHER_SET)) {
            return;
        }
        if (!API_VERSION.equals(doc.path("apiVersion").asText())) {
            errors.add(where + ": " + kind + " must have apiVersion " + API_VERSION);
            return;
        }
        JsonNode meta = doc.path("metadata");
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            errors.add(where + ": " + kind + " has no metadata.name");
            return;
        }
        ObjectRef ref = new ObjectRef(kind, meta.path("namespace").asText("default"), name);
        if (origins.containsKey(ref)) {
            errors.add(where + ": " + ref + " is defined twice (also in " + origins.get(ref) + ")");
            return;
        }
        origins.put(ref, file);
        long generation = meta.path("generation").asLong(1);
        Instant created = meta.hasNonNull("creationTimestamp") ? Instant.parse(meta.get("creationTimestamp").asText()) : null;
        JsonNode spec = doc.path("spec");
        if (kind.equals(ObjectRef.SIP_DOMAIN)) {
            JsonNode rl = spec.path("rateLimit");
            domains.add(new DomainSource(ref, generation, created, text(spec, "domain"), text(spec, "dispatcherSetRef"),
                    spec.hasNonNull("enabled") ? spec.get("enabled").asBoolean() : null, text(spec, "comment"),
                    rl.isObject() ? new RateLimitSource(integer(rl, "requestsPerSecond"), integer(rl, "burst")) : null));
        } else {
            List<DestinationSource> destinations = new ArrayList<>();
            for (JsonNode d : spec.path("destinations")) {
                destinations.add(new DestinationSource(text(d, "uri"), integer(d, "priority"), integer(d, "weight"),
                        integer(d, "flags"), text(d, "attrs"), text(d, "state")));
            }
            JsonNode p = spec.path("probing");
            ProbingSource probing = null;
            if (p.isObject()) {
                List<Integer> codes = null;
                if (p.has("replyCodes")) {
                    codes = new ArrayList<>();
                    for (JsonNode c : p.get("replyCodes")) {
                        codes.add(c.asInt());
                    }
                }
                probing = new ProbingSource(text(p, "method"), integer(p, "intervalSeconds"), integer(p, "probingThreshold"),
                        integer(p, "inactiveThreshold"), codes, integer(p, "timeoutMillis"));
            }
            sets.add(new SetSource(ref, generation, created, integer(spec, "setId"), text(spec, "algorithm"),
                    destinations, probing));
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || !(v.isIntegralNumber() || v.asText().matches("-?[0-9]+"))) {
            throw new IllegalArgumentException(field + " must be an integer, got '" + v.asText() + "'");
        }
        return v.isIntegralNumber() ? v.intValue() : Integer.parseInt(v.asText());
    }

    private static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile)
                            .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                            .sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IOException(p + " does not exist");
            }
        }
        return files;
    }

    /** Writes a model back as SipDomain and DispatcherSet manifests (the migration path from a classic routing.db). */
    public static String toYaml(io.pbx3sbc.routingdb.model.RoutingModel model, String namespace) throws IOException {
        StringBuilder out = new StringBuilder();
        Map<Integer, String> setNames = new HashMap<>();
        for (var set : model.sets()) {
            String name = set.name().isEmpty() ? "set-" + set.setId() : set.name();
            setNames.put(set.setId(), name);
            ObjectNode doc = header(ObjectRef.DISPATCHER_SET, name, namespace);
            ObjectNode spec = doc.putObject("spec");
            spec.put("setId", set.setId());
            spec.put("algorithm", set.algorithm().wireName());
            var dests = spec.putArray("destinations");
            for (var d : set.destinations()) {
                ObjectNode n = dests.addObject();
                n.put("uri", d.uri());
                n.put("priority", d.priority());
                n.put("weight", d.weight());
                if (d.state() != DestinationState.ACTIVE) {
                    n.put("state", d.state().wireName());
                }
                if (d.flags() != 0) {
                    n.put("flags", d.flags());
                }
                if (!d.attrs().isEmpty()) {
                    n.put("attrs", d.attrs());
                }
            }
            ObjectNode probing = spec.putObject("probing");
            probing.put("method", set.probing().method());
            probing.put("intervalSeconds", set.probing().intervalSeconds());
            probing.put("probingThreshold", set.probing().probingThreshold());
            probing.put("inactiveThreshold", set.probing().inactiveThreshold());
            var codes = probing.putArray("replyCodes");
            set.probing().replyCodes().forEach(codes::add);
            probing.put("timeoutMillis", set.probing().timeoutMillis());
            out.append(YAML.writeValueAsString(doc));
        }
        for (var d : model.domains()) {
            ObjectNode doc = header(ObjectRef.SIP_DOMAIN, d.domain(), namespace);
            ObjectNode spec = doc.putObject("spec");
            spec.put("domain", d.domain());
            spec.put("dispatcherSetRef", setNames.getOrDefault(d.setId(), "set-" + d.setId()));
            spec.put("enabled", d.enabled());
            if (d.comment() != null) {
                spec.put("comment", d.comment());
            }
            if (d.rateLimit() != null) {
                ObjectNode rl = spec.putObject("rateLimit");
                rl.put("requestsPerSecond", d.rateLimit().requestsPerSecond());
                rl.put("burst", d.rateLimit().burst());
            }
            out.append(YAML.writeValueAsString(doc));
        }
        return out.toString();
    }

    private static ObjectNode header(String kind, String name, String namespace) {
        ObjectNode doc = YAML.createObjectNode();
        doc.put("apiVersion", API_VERSION);
        doc.put("kind", kind);
        ObjectNode meta = doc.putObject("metadata");
        meta.put("name", name);
        meta.put("namespace", namespace);
        return doc;
    }
}
