package io.pbx3sbc.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The EdgeFleet and DispatcherSet health checks as ArgoCD runs them (a Lua script with the object as the
 * global {@code obj}), against the cases in their {@code health_test.yaml}, the layout of ArgoCD's
 * resource_customizations.
 */
class ArgoCdHealthCheckTest {
    static final Path KINDS = Path.of("argocd/pbx3sbc.io");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everySampleEdgeFleetStatusGetsTheExpectedVerdict() throws Exception {
        assertThat(verdicts("EdgeFleet")).isEqualTo(5);
    }

    @Test
    void everySampleDispatcherSetStatusGetsTheExpectedVerdict() throws Exception {
        assertThat(verdicts("DispatcherSet")).isEqualTo(6);
    }

    /** Runs every case of a kind's health_test.yaml; returns how many ran. */
    private static int verdicts(String kind) throws Exception {
        Path dir = KINDS.resolve(kind);
        String script = Files.readString(dir.resolve("health.lua"));
        JsonNode tests = YAML.readTree(dir.resolve("health_test.yaml").toFile()).get("tests");
        for (JsonNode t : tests) {
            JsonNode obj = YAML.readTree(dir.resolve(t.get("inputPath").asText()).toFile());
            Globals lua = JsePlatform.standardGlobals();
            lua.set("obj", toLua(obj));
            LuaValue result = lua.load(script, "health.lua").call();
            assertThat(result.get("status").tojstring()).as(t.get("inputPath").asText())
                    .isEqualTo(t.get("healthStatus").get("status").asText());
            assertThat(result.get("message").tojstring()).as(t.get("inputPath").asText())
                    .isEqualTo(t.get("healthStatus").get("message").asText());
        }
        return tests.size();
    }

    /** JSON as ArgoCD hands it to Lua: objects are tables, arrays are 1-based tables, numbers are numbers. */
    static LuaValue toLua(JsonNode n) {
        if (n.isObject()) {
            LuaTable t = new LuaTable();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                t.set(e.getKey(), toLua(e.getValue()));
            }
            return t;
        }
        if (n.isArray()) {
            LuaTable t = new LuaTable();
            for (int i = 0; i < n.size(); i++) {
                t.set(i + 1, toLua(n.get(i)));
            }
            return t;
        }
        if (n.isNumber()) {
            return LuaValue.valueOf(n.asDouble());
        }
        if (n.isBoolean()) {
            return LuaValue.valueOf(n.asBoolean());
        }
        return n.isNull() ? LuaValue.NIL : LuaValue.valueOf(n.asText());
    }
}
