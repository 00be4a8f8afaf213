package io.pbx3sbc.routingdb.cli;

import io.pbx3sbc.routingdb.InvalidRoutingDbException;
import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.RoutingDbReader;
import io.pbx3sbc.routingdb.RoutingDbValidator;
import io.pbx3sbc.routingdb.VersionInfo;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.compile.Problem;
import io.pbx3sbc.routingdb.compile.ResourceFiles;
import io.pbx3sbc.routingdb.compile.RoutingCompiler;
import io.pbx3sbc.routingdb.manifest.Manifest;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.S3Location;
import io.pbx3sbc.routingdb.store.S3ObjectStore;
import io.pbx3sbc.routingdb.store.VersionPublisher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code routing-db <command>}: the routing database contract on the command line, for operators
 * and GitOps pipelines. Exit codes: 0 ok, 1 invalid input or failed check, 2 usage error.
 */
public final class RoutingDbCli {
    static final String USAGE = """
            usage: routing-db <command> [options]

            commands:
              build PATH... --out FILE [--version N] [--fleet NAME] [--signing-key FILE] [--skip-invalid]
                  compile SipDomain/DispatcherSet YAML (files or folders) into a routing.db; with
                  --signing-key also writes FILE.manifest.json signed with that Ed25519 key
              validate PATH...
                  check manifests offline with the operator's rules; errors name file, object and field
              inspect FILE
                  print version, fleet, schema, counts and content hash of a routing.db
              verify FILE --manifest MANIFEST --public-key KEYFILE
                  check a routing.db against its signed manifest and the trusted public key
              import FILE [--namespace NS] [--out YAML]
                  turn a classic (seed Kamailio) or our routing.db into SipDomain/DispatcherSet YAML
              publish FILE --manifest MANIFEST --endpoint URL --bucket B [--prefix P] [--region R]
                  upload a built, signed version to S3/MinIO in the fleet layout (Litestream replica +
                  manifest); credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Refuses to
                  overwrite an existing version. The operator does this itself; this is for manual recovery.
              keygen --out-dir DIR
                  write a new Ed25519 key pair (signing.key, signing.pub) as base64 DER
            """;

    private final PrintStream out;
    private final PrintStream err;

    public RoutingDbCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new RoutingDbCli(System.out, System.err).run(args));
    }

    public int run(String... args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Args a;
        try {
            a = Args.parse(List.of(args).subList(1, args.length));
            return switch (args[0]) {
                case "build" -> build(a);
                case "validate" -> validate(a);
                case "inspect" -> inspect(a);
                case "verify" -> verify(a);
                case "import" -> importDb(a);
                case "publish" -> publish(a);
                case "keygen" -> keygen(a);
                default -> usage("unknown command '" + args[0] + "'");
            };
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (InvalidRoutingDbException e) {
            err.println("invalid: " + e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private int usage(String message) {
        err.println("routing-db: " + message);
        err.print(USAGE);
        return 2;
    }

    private int build(Args a) throws IOException, UsageException {
        Path target = Path.of(a.required("--out"));
        ResourceFiles.Loaded loaded = load(a);
        RoutingCompiler.Compilation c = new RoutingCompiler().compile(loaded.domains(), loaded.sets());
        int problems = report(loaded, c);
        if (problems > 0 && !a.has("--skip-invalid")) {
            err.println(problems + " problem(s); nothing written (use --skip-invalid to build the valid objects only)");
            return 1;
        }
        VersionInfo version = new VersionInfo(Long.parseLong(a.value("--version", "1")), a.value("--fleet", "local"),
                Instant.now(), c.sourceGenerations());
        RoutingDbBuilder.Built built = new RoutingDbBuilder().build(c.model(), version, target);
        out.printf("built %s: version %d, %d domains, %d destinations in %d sets, content sha256 %s%n",
                target, version.version(), built.domains(), built.destinations(), built.sets(), built.contentSha256());
        if (a.has("--signing-key")) {
            KeyPair keys = readKeyPair(Path.of(a.value("--signing-key", null)));
            Manifest signed = SigningKeys.sign(VersionVerifier.manifestFor(built, version), keys);
            Path manifest = Path.of(target + ".manifest.json");
            Files.write(manifest, signed.toJson());
            out.println("signed manifest " + manifest + " with key " + signed.keyId());
        }
        return problems > 0 ? 1 : 0;
    }

    private int validate(Args a) throws IOException, UsageException {
        ResourceFiles.Loaded loaded = load(a);
        RoutingCompiler.Compilation c = new RoutingCompiler().compile(loaded.domains(), loaded.sets());
        int problems = report(loaded, c);
        if (problems > 0) {
            err.println(problems + " problem(s)");
            return 1;
        }
        out.printf("ok: %d SipDomain(s), %d DispatcherSet(s) valid; %d domains, %d destinations%n",
                loaded.domains().size(), loaded.sets().size(), c.model().domains().size(), c.model().destinationCount());
        return 0;
    }

    private ResourceFiles.Loaded load(Args a) throws IOException, UsageException {
        if (a.positional().isEmpty()) {
            throw new UsageException("give at least one YAML file or folder");
        }
        return new ResourceFiles().load(a.positional().stream().map(Path::of).toList());
    }

    /** Prints every problem as {@code file: Kind/ns/name field: Reason: message}; returns how many. */
    private int report(ResourceFiles.Loaded loaded, RoutingCompiler.Compilation c) {
        loaded.errors().forEach(e -> err.println(e));
        for (Problem p : c.problems()) {
            Path origin = loaded.origins().get(p.ref());
            err.println((origin == null ? "" : origin + ": ") + p);
        }
        return loaded.errors().size() + c.problems().size();
    }

    private int inspect(Args a) throws InvalidRoutingDbException, UsageException {
        Path file = Path.of(a.single("a routing.db file"));
        RoutingDb db = new RoutingDbReader().read(file);
        if (db.version().isPresent()) {
            VersionInfo v = db.version().get();
            out.printf("version:        %d%nfleet:          %s%ncreated:        %s%nschema version: %d%n",
                    v.version(), v.fleet(), v.createdAt(), db.schemaVersion());
        } else {
            out.println("version:        none (classic routing.db without routing_version)");
        }
        out.printf("domains:        %d (%d enabled)%nsets:           %d%ndestinations:   %d%n",
                db.model().domains().size(), db.model().domains().stream().filter(d -> d.enabled()).count(),
                db.model().sets().size(), db.model().destinationCount());
        out.printf("content sha256: %s%n", db.contentSha256());
        if (db.storedSha256() != null && !db.storedSha256().equals(db.contentSha256())) {
            out.printf("stored sha256:  %s  (MISMATCH: the rows were changed after the build)%n", db.storedSha256());
            return 1;
        }
        return 0;
    }

    private int verify(Args a) throws IOException, InvalidRoutingDbException, UsageException {
        Path file = Path.of(a.single("a routing.db file"));
        Manifest manifest = Manifest.fromJson(Files.readAllBytes(Path.of(a.required("--manifest"))));
        PublicKey key = SigningKeys.decodePublic(Files.readString(Path.of(a.required("--public-key"))));
        RoutingDb db = new VersionVerifier(key).verify(file, manifest);
        out.printf("verified: version %d of fleet %s, content sha256 %s, signed by key %s%n",
                manifest.version(), manifest.fleet(), db.contentSha256(), manifest.keyId());
        return 0;
    }

    private int importDb(Args a) throws IOException, InvalidRoutingDbException, UsageException {
        Path file = Path.of(a.single("a routing.db file"));
        RoutingDb db = new RoutingDbReader().read(file);
        List<String> problems = db.model().problems();
        problems.forEach(p -> err.println("warning: " + p));
        String yaml = ResourceFiles.toYaml(db.model(), a.value("--namespace", "default"));
        if (a.has("--out")) {
            Files.writeString(Path.of(a.value("--out", null)), yaml, StandardCharsets.UTF_8);
            err.printf("wrote %d DispatcherSet(s) and %d SipDomain(s) to %s (content sha256 %s)%n",
                    db.model().sets().size(), db.model().domains().size(), a.value("--out", null), db.contentSha256());
        } else {
            out.print(yaml);
        }
        return 0;
    }

    private int publish(Args a) throws IOException, UsageException {
        Path file = Path.of(a.single("a routing.db file"));
        Manifest manifest = Manifest.fromJson(Files.readAllBytes(Path.of(a.required("--manifest"))));
        String accessKey = System.getenv("AWS_ACCESS_KEY_ID");
        String secretKey = System.getenv("AWS_SECRET_ACCESS_KEY");
        if (accessKey == null || secretKey == null) {
            throw new UsageException("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        var location = new S3Location(java.net.URI.create(a.required("--endpoint")), a.value("--region", "us-east-1"),
                a.required("--bucket"), a.value("--prefix", ""), true, accessKey, secretKey);
        try (S3ObjectStore store = new S3ObjectStore(location)) {
            store.ensureBucket();
            FleetLayout layout = new FleetLayout(manifest.fleet());
            new VersionPublisher(store, layout).publish(file, manifest);
            out.printf("published version %d of fleet %s to s3://%s/%s%s at %s%n", manifest.version(), manifest.fleet(),
                    location.bucket(), location.prefix(), layout.versionPrefix(manifest.version()), location.endpoint());
        }
        return 0;
    }

    private int keygen(Args a) throws IOException, UsageException {
        Path dir = Path.of(a.required("--out-dir"));
        Files.createDirectories(dir);
        KeyPair keys = SigningKeys.generate();
        Path priv = dir.resolve("signing.key");
        Files.writeString(priv, SigningKeys.encodePrivate(keys.getPrivate()) + "\n");
        priv.toFile().setReadable(false, false);
        priv.toFile().setReadable(true, true);
        Files.writeString(dir.resolve("signing.pub"), SigningKeys.encodePublic(keys.getPublic()) + "\n");
        out.println("wrote " + priv + " and " + dir.resolve("signing.pub") + " (key id " + SigningKeys.keyId(keys.getPublic()) + ")");
        return 0;
    }

    /** A private key file; the public key is derived from the matching .pub file beside it. */
    private static KeyPair readKeyPair(Path privateKeyFile) throws IOException {
        var priv = SigningKeys.decodePrivate(Files.readString(privateKeyFile));
        Path pubFile = Path.of(privateKeyFile.toString().replaceAll("\\.key$", "") + ".pub");
        if (!Files.exists(pubFile)) {
            throw new IOException("public key " + pubFile + " not found beside " + privateKeyFile);
        }
        return new KeyPair(SigningKeys.decodePublic(Files.readString(pubFile)), priv);
    }

    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** Options ({@code --name value}, or bare flags) and positional arguments. */
    record Args(Map<String, String> options, List<String> positional) {
        private static final List<String> FLAGS = List.of("--skip-invalid");

        static Args parse(List<String> args) throws UsageException {
            Map<String, String> options = new HashMap<>();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (FLAGS.contains(arg)) {
                    options.put(arg, "true");
                } else if (arg.startsWith("--")) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(arg + " needs a value");
                    }
                    options.put(arg, args.get(++i));
                } else {
                    positional.add(arg);
                }
            }
            return new Args(options, positional);
        }

        boolean has(String name) {
            return options.containsKey(name);
        }

        String value(String name, String fallback) {
            return options.getOrDefault(name, fallback);
        }

        String required(String name) throws UsageException {
            String v = options.get(name);
            if (v == null) {
                throw new UsageException(name + " is required");
            }
            return v;
        }

        String single(String what) throws UsageException {
            if (positional.size() != 1) {
                throw new UsageException("give exactly one argument: " + what);
            }
            return positional.get(0);
        }
    }
}
