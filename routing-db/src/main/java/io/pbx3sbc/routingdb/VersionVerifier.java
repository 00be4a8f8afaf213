package io.pbx3sbc.routingdb;

import io.pbx3sbc.routingdb.manifest.Manifest;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.manifest.TrustedKeys;

import java.nio.file.Path;
import java.security.PublicKey;

/**
 * Checks a routing.db against its signed manifest: the signature is valid for the trusted key, the
 * file passes {@link RoutingDbValidator}, and the file is the version, fleet and content the
 * manifest signs. A change to either the file or the manifest fails here.
 */
public final class VersionVerifier {
    private final RoutingDbValidator validator = new RoutingDbValidator();
    private final TrustedKeys trusted;

    public VersionVerifier(PublicKey trustedKey) {
        this(TrustedKeys.of(trustedKey));
    }

    public VersionVerifier(TrustedKeys trusted) {
        this.trusted = java.util.Objects.requireNonNull(trusted, "trusted");
    }

    /**
     * Verifies a version fetched as {@code version} of {@code fleet}: a validly signed manifest stored
     * under another number or fleet (a bucket writer moving objects around) is refused too.
     */
    public RoutingDb verify(Path file, Manifest manifest, String fleet, long version) throws InvalidRoutingDbException {
        if (manifest.version() != version || !manifest.fleet().equals(fleet)) {
            throw new InvalidRoutingDbException("the manifest stored as version " + version + " of fleet " + fleet
                    + " signs version " + manifest.version() + " of fleet " + manifest.fleet());
        }
        return verify(file, manifest);
    }

    public RoutingDb verify(Path file, Manifest manifest) throws InvalidRoutingDbException {
        if (!SigningKeys.verify(manifest, trusted)) {
            throw new InvalidRoutingDbException("manifest signature of version " + manifest.version()
                    + " (key " + manifest.keyId() + ") is missing or not valid for the trusted keys " + trusted);
        }
        RoutingDb db = validator.validate(file);
        if (!db.contentSha256().equals(manifest.contentSha256())) {
            throw new InvalidRoutingDbException("content hash " + db.contentSha256()
                    + " differs from the signed manifest's " + manifest.contentSha256());
        }
        VersionInfo info = db.version().orElseThrow();
        if (info.version() != manifest.version() || !info.fleet().equals(manifest.fleet())) {
            throw new InvalidRoutingDbException("file is version " + info.version() + " of fleet " + info.fleet()
                    + " but the manifest signs version " + manifest.version() + " of fleet " + manifest.fleet());
        }
        return db;
    }

    /** The manifest that describes a freshly built version (unsigned). */
    public static Manifest manifestFor(RoutingDbBuilder.Built built, VersionInfo version) {
        return new Manifest(version.fleet(), version.version(), Schema.VERSION, built.contentSha256(),
                new Manifest.Counts(built.domains(), built.destinations(), built.sets()), version.createdAt(),
                version.sourceGenerations(), null, null);
    }
}
