package io.pbx3sbc.edge;

import io.pbx3sbc.edge.routing.ProtectionPolicy;
import io.pbx3sbc.edge.sip.transport.Peer;
import io.pbx3sbc.edge.sip.transport.TlsContexts;
import io.pbx3sbc.routingdb.manifest.TrustedKeys;
import io.pbx3sbc.routingdb.store.S3Location;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an edge process is told at start, from flags or the environment (flags win). Each
 * option has one flag {@code --name} and one variable {@code EDGE_NAME}; {@link #usage()} lists them.
 *
 * @param advertised     the address put in Record-Route: what callers reach (a Service, a NAT's public side)
 * @param pathAddress    the address put in Path: this edge alone (its pod IP), so that a registrar's
 *                       requests for a phone come to the edge holding the phone's connection
 * @param sipThreads     UDP reader threads (each handles its message to the end)
 * @param drainTimeout   how long SIGTERM waits for open transactions before the process exits
 * @param adminDetail    the admin port may tell tenant detail (/lookup, domains and destinations in /status)
 * @param dnsServer      the DNS server for named backends; null: the system's
 */
public record EdgeConfig(Path routingDb, Fleet fleet, HostPort sipListen, HostPort advertised, HostPort pathAddress, HostPort adminListen,
                         String edgeId, String scannerUserAgents, boolean requireRequestUriMatchesTo, Duration frTimer,
                         Duration frInvTimer, int sipThreads, Duration drainTimeout, boolean probing, boolean adminDetail,
                         Protection protection, Tls tls, HostPort dnsServer) {

    /**
     * TLS: the listener (when the edge has a certificate) and the trust towards {@code sips:} backends,
     * and which transports callers may use at all.
     *
     * @param listen           null: no TLS listener (TLS towards backends still works)
     * @param advertised       what TLS callers reach, put in the TLS Record-Route
     * @param callerTransports transports that take requests from anyone; the others only from backends
     *                         and trusted blocks (a TLS-only edge still needs UDP/TCP towards its PBXes)
     */
    public record Tls(HostPort listen, HostPort advertised, TlsContexts.Settings settings, Duration reloadInterval,
                      java.util.Set<Peer.Transport> callerTransports) {
        public Tls {
            callerTransports = java.util.Set.copyOf(callerTransports);
            if (callerTransports.isEmpty()) {
                throw new IllegalArgumentException("--caller-transports must name at least one of udp, tcp, tls");
            }
            if (callerTransports.contains(Peer.Transport.TLS) && listen == null) {
                throw new IllegalArgumentException("--caller-transports names tls but the edge has no TLS certificate (--tls-cert, --tls-key)");
            }
        }
    }

    /**
     * The edge's own defences, beyond the routing rules.
     *
     * @param floodLimit      messages per second one source IP may send (0: no flood guard)
     * @param floodBan        how long a source over the limit is ignored
     * @param floodExempt     CIDR blocks never counted (trusted trunks); the table's destinations never are
     * @param dialogKeyFile   the fleet's key for signed branches and Record-Route (null: a key of this process only)
     * @param maxTransactions relays kept at most; beyond, new requests get 503
     * @param waitTimer       how long a finished transaction absorbs retransmissions
     */
    public record Protection(int floodLimit, Duration floodBan, List<String> floodExempt, int tcpMaxConnections,
                             int tcpMaxPerSource, Duration tcpReadTimeout, Duration tcpIdleTimeout, int maxMessageBytes,
                             Path dialogKeyFile, int maxTransactions, Duration waitTimer) {
        public Protection {
            floodExempt = List.copyOf(floodExempt);
            if (floodLimit < 0 || tcpMaxConnections < 1 || tcpMaxPerSource < 1 || maxTransactions < 1 || maxMessageBytes < 1024) {
                throw new IllegalArgumentException("flood, TCP and transaction limits must be positive (flood limit 0 turns the guard off)");
            }
        }
    }

    /**
     * Fleet mode: routing versions come from the fleet's store (restored with litestream, verified with
     * the fleet's public key) instead of a fixed file. S3 credentials come from AWS_ACCESS_KEY_ID and
     * AWS_SECRET_ACCESS_KEY only, never from flags.
     */
    public record Fleet(String name, S3Location store, java.util.function.Supplier<TrustedKeys> trustedKeys, Path dataDir, Path stateDir,
                        Duration pollInterval, Duration heartbeat, Path litestream, Duration restoreTimeout) {
    }

    private record Option(String flag, String defaultValue, String help) {
    }

    private static final List<Option> OPTIONS = List.of(
            new Option("routing-db", null, "routing.db to serve (a fixed file; or give --fleet)"),
            new Option("fleet", null, "serve the versions of this EdgeFleet from its store (instead of --routing-db)"),
            new Option("s3-endpoint", null, "fleet mode: S3/MinIO endpoint URL"),
            new Option("s3-region", "us-east-1", "fleet mode: S3 region"),
            new Option("s3-bucket", null, "fleet mode: bucket"),
            new Option("s3-prefix", "", "fleet mode: key prefix above fleets/<fleet>/"),
            new Option("s3-path-style", "true", "fleet mode: path-style addressing (MinIO, S3Proxy)"),
            new Option("public-key", null, "fleet mode: base64 Ed25519 public key(s) that sign the fleet's versions and release pointer; several, comma-separated, during a key rotation"),
            new Option("public-key-file", null, "fleet mode: a file with the trusted public key(s), read again when it changes (a ConfigMap volume: a key rotation without restarts); instead of --public-key"),
            new Option("data-dir", "/var/lib/pbx3sbc", "fleet mode: restored versions (scratch)"),
            new Option("state-dir", null, "fleet mode: the last known good copy and the newest accepted release pointer; keep it on a volume that outlives the pod (default: the data dir)"),
            new Option("poll-interval", "30s", "fleet mode: how often the release pointer is read (conditional GET) when no nudge comes; the operator nudges its edges on every change (POST /nudge, signed)"),
            new Option("heartbeat-interval", "30s", "fleet mode: how often an idle edge reports to the fleet (changes are reported at once)"),
            new Option("litestream-bin", "litestream", "fleet mode: the litestream binary"),
            new Option("restore-timeout", "120s", "fleet mode: a litestream restore still running after this is killed and fails"),
            new Option("sip-listen", "0.0.0.0:5060", "address for SIP over UDP and TCP"),
            new Option("tls-cert", null, "PEM certificate chain for SIP over TLS (tls.crt of a Kubernetes TLS Secret); read again when it changes"),
            new Option("tls-key", null, "PEM private key of --tls-cert (tls.key: PKCS#1, SEC1 or PKCS#8, unencrypted)"),
            new Option("tls-listen", null, "address for SIP over TLS (default: the SIP listen host, port 5061, when --tls-cert is given)"),
            new Option("tls-advertised-address", null, "host:port TLS callers reach, put in the TLS Record-Route (default: the advertised host, the TLS port)"),
            new Option("tls-min-version", "1.2", "oldest TLS version taken or offered: 1.2 or 1.3"),
            new Option("tls-client-ca", null, "PEM CA bundle that TLS clients' certificates must chain to (mTLS for trunks)"),
            new Option("tls-verify-clients", "none", "ask TLS clients for a certificate: none, optional or required (needs --tls-client-ca)"),
            new Option("tls-backend-ca", null, "PEM CA bundle that sips: and transport=tls backends' certificates must chain to (default: the JDK's trust store)"),
            new Option("tls-reload-interval", "10s", "how often the TLS files are checked for a rotation"),
            new Option("dns-server", null, "host:port of the DNS server for backends named by DNS (default: the system's resolvers and search path, in a pod the cluster DNS)"),
            new Option("caller-transports", null, "transports that take requests from anyone, e.g. tls for a TLS-only edge (default: udp,tcp, plus tls with a certificate); the others answer only backends and --flood-exempt blocks"),
            new Option("advertised-address", null, "host:port put in Record-Route (default: the SIP listen address)"),
            new Option("path-address", null, "host:port put in Path on REGISTER: this edge alone (its pod IP), so the registrar's requests for a phone reach the edge holding its connection (default: the advertised address)"),
            new Option("admin-listen", "127.0.0.1:9090", "address for /healthz /readyz /status /metrics (the operator sets the pod IP)"),
            new Option("admin-detail", "false", "serve /lookup, and domains and destination URIs in /status and per-tenant metrics (they tell which domains are tenants and where their PBXes are)"),
            new Option("edge-id", null, "name of this edge in logs and reports (default: the host name)"),
            new Option("scanner-user-agents", ProtectionPolicy.DEFAULT_SCANNERS,
                    "case-insensitive regex of User-Agents dropped silently"),
            new Option("require-ruri-matches-to", "true", "drop requests whose Request-URI host differs from the To host"),
            new Option("fr-timer", "5s", "time to wait for any answer from a backend before failing over"),
            new Option("fr-inv-timer", "30s", "time an INVITE may ring before it is cancelled with 408"),
            new Option("sip-threads", "4", "SIP worker threads"),
            new Option("drain-timeout", "30s", "on SIGTERM, how long to let open transactions finish"),
            new Option("probing", "true", "send OPTIONS health probes to destinations"),
            new Option("flood-limit", "1000", "messages per second one source IP may send before it is banned (0: off)"),
            new Option("flood-ban", "60s", "how long a flooding source is ignored"),
            new Option("flood-exempt", "", "comma-separated CIDR blocks never counted by the flood guard (trusted trunks)"),
            new Option("tcp-max-connections", "10000", "TCP connections open at once"),
            new Option("tcp-max-per-source", "64", "TCP connections from one IP"),
            new Option("tcp-read-timeout", "5s", "a SIP message started over TCP must be complete within this"),
            new Option("tcp-idle-timeout", "120s", "a TCP connection with no message or keepalive for this long is closed"),
            new Option("max-message-size", "65536", "largest SIP message taken over TCP, in bytes"),
            new Option("dialog-key-file", null, "the fleet's shared secret that signs Via branches and Record-Route (default: a random key of this process: dialogs then cannot move to another edge or survive a restart)"),
            new Option("max-transactions", "200000", "relayed transactions kept at most; beyond, new requests get 503"),
            new Option("wait-timer", "5s", "how long a finished transaction absorbs retransmissions (Kamailio's wt_timer)"));

    public EdgeConfig {
        if ((routingDb == null) == (fleet == null)) {
            throw new IllegalArgumentException("give exactly one of --routing-db and --fleet");
        }
        Objects.requireNonNull(sipListen, "sipListen");
        Objects.requireNonNull(advertised, "advertised");
        Objects.requireNonNull(pathAddress, "pathAddress");
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
            String db = values.get("routing-db");
            Fleet fleet = values.containsKey("fleet") ? fleet(values, env) : null;
            if ((db == null) == (fleet == null)) {
                throw new UsageException("give exactly one of --routing-db (EDGE_ROUTING_DB) and --fleet (EDGE_FLEET)");
            }
            HostPort sip = HostPort.parse(values.get("sip-listen"), 5060);
            HostPort advertised = values.containsKey("advertised-address")
                    ? HostPort.parse(values.get("advertised-address"), 5060) : sip;
            HostPort path = values.containsKey("path-address") ? HostPort.parse(values.get("path-address"), 5060) : advertised;
            return new EdgeConfig(db == null ? null : Path.of(db), fleet, sip, advertised, path, HostPort.parse(values.get("admin-listen"), 9090),
                    values.getOrDefault("edge-id", hostName()), values.get("scanner-user-agents"),
                    bool(values, "require-ruri-matches-to"), duration(values, "fr-timer"), duration(values, "fr-inv-timer"),
                    Integer.parseInt(values.get("sip-threads")), duration(values, "drain-timeout"), bool(values, "probing"),
                    bool(values, "admin-detail"), protection(values), tls(values, sip, advertised),
                    values.containsKey("dns-server") ? HostPort.parse(values.get("dns-server"), 53) : null);
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static Tls tls(Map<String, String> values, HostPort sip, HostPort advertised) {
        String cert = values.get("tls-cert");
        String key = values.get("tls-key");
        if ((cert == null) != (key == null)) {
            throw new UsageException("give both --tls-cert and --tls-key, or neither");
        }
        HostPort listen = null;
        HostPort tlsAdvertised = null;
        if (cert != null) {
            listen = values.containsKey("tls-listen") ? HostPort.parse(values.get("tls-listen"), 5061) : new HostPort(sip.host(), 5061);
            tlsAdvertised = values.containsKey("tls-advertised-address") ? HostPort.parse(values.get("tls-advertised-address"), 5061)
                    : new HostPort(advertised.host(), listen.port());
        } else if (values.containsKey("tls-listen")) {
            throw new UsageException("--tls-listen needs --tls-cert and --tls-key");
        }
        TlsContexts.ClientAuth auth = switch (values.get("tls-verify-clients").toLowerCase(Locale.ROOT)) {
            case "none" -> TlsContexts.ClientAuth.NONE;
            case "optional" -> TlsContexts.ClientAuth.OPTIONAL;
            case "required" -> TlsContexts.ClientAuth.REQUIRED;
            default -> throw new UsageException("--tls-verify-clients must be none, optional or required");
        };
        TlsContexts.Settings settings = new TlsContexts.Settings(path(cert), path(key), path(values.get("tls-client-ca")), auth,
                path(values.get("tls-backend-ca")), values.get("tls-min-version"));
        java.util.Set<Peer.Transport> callers = java.util.EnumSet.noneOf(Peer.Transport.class);
        String listed = values.get("caller-transports");
        if (listed == null || listed.isBlank()) {
            callers.add(Peer.Transport.UDP);
            callers.add(Peer.Transport.TCP);
            if (listen != null) {
                callers.add(Peer.Transport.TLS);
            }
        } else {
            for (String t : listed.trim().split("\\s*,\\s*")) {
                try {
                    callers.add(Peer.Transport.of(t));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--caller-transports: " + e.getMessage() + " (udp, tcp, tls)");
                }
            }
        }
        return new Tls(listen, tlsAdvertised, settings, duration(values, "tls-reload-interval"), callers);
    }

    private static Path path(String value) {
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    private static Protection protection(Map<String, String> values) {
        String exempt = values.getOrDefault("flood-exempt", "");
        List<String> blocks = exempt.isBlank() ? List.of() : List.of(exempt.trim().split("\\s*,\\s*"));
        io.pbx3sbc.edge.sip.SipCore.cidrs(blocks); // refuses a bad block now, not at the first packet
        String key = values.get("dialog-key-file");
        return new Protection(Integer.parseInt(values.get("flood-limit")), duration(values, "flood-ban"), blocks,
                Integer.parseInt(values.get("tcp-max-connections")), Integer.parseInt(values.get("tcp-max-per-source")),
                duration(values, "tcp-read-timeout"), duration(values, "tcp-idle-timeout"),
                Integer.parseInt(values.get("max-message-size")), key == null || key.isBlank() ? null : Path.of(key),
                Integer.parseInt(values.get("max-transactions")), duration(values, "wait-timer"));
    }

    private static Fleet fleet(Map<String, String> values, Map<String, String> env) {
        String endpoint = required(values, "s3-endpoint");
        String key = values.get("public-key");
        String keyFile = values.get("public-key-file");
        if ((key == null) == (keyFile == null)) {
            throw new UsageException("fleet mode needs exactly one of --public-key and --public-key-file");
        }
        String access = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (access == null || access.isBlank() || secret == null || secret.isBlank()) {
            throw new UsageException("fleet mode needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
        }
        java.util.function.Supplier<TrustedKeys> trusted;
        try {
            trusted = key != null ? io.pbx3sbc.edge.update.TrustSource.fixed(TrustedKeys.parse(key))
                    : io.pbx3sbc.edge.update.TrustSource.file(Path.of(keyFile));
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new UsageException((key != null ? "--public-key: " : "--public-key-file " + keyFile + ": ") + e.getMessage());
        }
        S3Location store = new S3Location(java.net.URI.create(endpoint), values.get("s3-region"),
                required(values, "s3-bucket"), values.get("s3-prefix"), bool(values, "s3-path-style"), access, secret);
        Path dataDir = Path.of(values.get("data-dir"));
        return new Fleet(values.get("fleet"), store, trusted, dataDir,
                values.get("state-dir") == null ? dataDir : Path.of(values.get("state-dir")), duration(values, "poll-interval"),
                duration(values, "heartbeat-interval"), Path.of(values.get("litestream-bin")), duration(values, "restore-timeout"));
    }

    private static String required(Map<String, String> values, String flag) {
        String v = values.get(flag);
        if (v == null || v.isBlank()) {
            throw new UsageException("fleet mode needs --" + flag + " (or " + envName(flag) + ")");
        }
        return v;
    }

    public static String usage() {
        StringBuilder sb = new StringBuilder("usage: edge (--routing-db PATH | --fleet NAME --s3-endpoint URL --s3-bucket B --public-key K) [options]\n\n"
                + "Runs one PBX3sbc SIP edge. Every option can also be set as an environment variable.\n\n");
        for (Option o : OPTIONS) {
            sb.append(String.format(Locale.ROOT, "  --%-26s %s%n  %-28s %s%s%n", o.flag() + " V", o.help(), "",
                    envName(o.flag()), o.defaultValue() == null || o.defaultValue().isEmpty() ? "" : " (default " + o.defaultValue() + ")"));
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
