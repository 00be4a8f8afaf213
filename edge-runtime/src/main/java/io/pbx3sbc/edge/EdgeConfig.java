package io.pbx3sbc.edge;

import io.pbx3sbc.edge.routing.ProtectionPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything an edge process is told at start, from flags or the environment (flags win). Each
 * option has one flag {@code --name} and one variable {@code EDGE_NAME}; {@link #usage()} lists them.
 *
 * @param advertised     the address put in Record-Route: what callers reach (a Service, a NAT's public side)
 * @param sipThreads     JAIN-SIP worker threads
 * @param drainTimeout   how long SIGTERM waits for open transactions before the process exits
 */
public record EdgeConfig(Path routingDb, HostPort sipListen, HostPort advertised, HostPort adminListen, String edgeId,
                         String scannerUserAgents, boolean requireRequestUriMatchesTo, Duration frTimer,
                         Duration frInvTimer, int sipThreads, Duration drainTimeout, boolean probing) {

    private record Option(String flag, String defaultValue, String help) {
    }

    private static final List<Option> OPTIONS = List.of(
            new Option("routing-db", null, "routing.db to serve (required)"),
            new Option("sip-listen", "0.0.0.0:5060", "address for SIP over UDP and TCP"),
            new Option("advertised-address", null, "host:port put in Record-Route (default: the SIP listen address)"),
            new Option("admin-listen", "0.0.0.0:9090", "address for /healthz /readyz /status /metrics"),
            new Option("edge-id", null, "name of this edge in logs and reports (default: the host name)"),
            new Option("scanner-user-agents", ProtectionPolicy.DEFAULT_SCANNERS,
                    "case-insensitive regex of User-Agents dropped silently"),
            new Option("require-ruri-matches-to", "true", "drop requests whose Request-URI host differs from the To host"),
            new Option("fr-timer", "5s", "time to wait for any answer from a backend before failing over"),
            new Option("fr-inv-timer", "30s", "time an INVITE may ring before it is cancelled with 408"),
            new Option("sip-threads", "4", "SIP worker threads"),
            new Option("drain-timeout", "30s", "on SIGTERM, how long to let open transactions finish"),
            new Option("probing", "true", "send OPTIONS health probes to destinations"));

    public EdgeConfig {
        Objects.requireNonNull(routingDb, "routingDb");
        Objects.requireNonNull(sipListen, "sipListen");
        Objects.requireNonNull(advertised, "advertised");
        Objects.requireNonNull(adminListen, "adminListen");
        Objects.requireNonNull(edgeId, "edgeId");
        if (sipThreads < 1) {
            throw new IllegalArgumentException("--sip-threads must be at least 1");
        }
    }

    /** Thrown for bad or missing options; the message is meant for the person who typed them. */
    public static final class UsageException extends IllegalArgumentException {
        public UsageException(String message) {
            super(message);
        }
    }

    public static EdgeConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Option o : OPTIONS) {
            String fromEnv = env.get(envName(o.flag()));
            if (fromEnv != null && !fromEnv.isBlank()) {
                values.put(o.flag(), fromEnv.trim());
            } else if (o.defaultValue() != null) {
                values.put(o.flag(), o.defaultValue());
            }
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new UsageException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            String flag = name;
            if (OPTIONS.stream().noneMatch(o -> o.flag().equals(flag))) {
                throw new UsageException("unknown option --" + name + " (see --help)");
            }
            values.put(name, value);
        }
        try {
            String db = Optional.ofNullable(values.get("routing-db"))
                    .orElseThrow(() -> new UsageException("--routing-db (or EDGE_ROUTING_DB) is required"));
            HostPort sip = HostPort.parse(values.get("sip-listen"), 5060);
            HostPort advertised = values.containsKey("advertised-address")
                    ? HostPort.parse(values.get("advertised-address"), 5060) : sip;
            return new EdgeConfig(Path.of(db), sip, advertised, HostPort.parse(values.get("admin-listen"), 9090),
                    values.getOrDefault("edge-id", hostName()), values.get("scanner-user-agents"),
                    bool(values, "require-ruri-matches-to"), duration(values, "fr-timer"), duration(values, "fr-inv-timer"),
                    Integer.parseInt(values.get("sip-threads")), duration(values, "drain-timeout"), bool(values, "probing"));
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    public static String usage() {
        StringBuilder sb = new StringBuilder("usage: edge --routing-db PATH [options]\n\n"
                + "Runs one PBX3sbc SIP edge. Every option can also be set as an environment variable.\n\n");
        for (Option o : OPTIONS) {
            sb.append(String.format(Locale.ROOT, "  --%-26s %s%n  %-28s %s%s%n", o.flag() + " V", o.help(), "",
                    envName(o.flag()), o.defaultValue() == null ? "" : " (default " + o.defaultValue() + ")"));
        }
        sb.append("  --help                       this text\n");
        return sb.toString();
    }

    static String envName(String flag) {
        return "EDGE_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static boolean bool(Map<String, String> values, String flag) {
        String v = values.get(flag).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new UsageException("--" + flag + " must be true or false, got '" + v + "'");
        };
    }

    /** Durations as {@code 500ms}, {@code 5s} or {@code 2m}. */
    static Duration duration(Map<String, String> values, String flag) {
        String v = values.get(flag).trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // fall through to the usage error
        }
        throw new UsageException("--" + flag + " must look like 500ms, 5s or 2m, got '" + v + "'");
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "edge";
        }
    }
}
