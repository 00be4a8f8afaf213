package io.pbx3sbc.routingdb.store;

import io.pbx3sbc.routingdb.model.DomainNames;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The object keys of one fleet, relative to the location's prefix:
 * <pre>
 * fleets/&lt;fleet&gt;/release.json                       release pointer
 * fleets/&lt;fleet&gt;/versions/&lt;N&gt;/manifest.json          signed manifest, written last
 * fleets/&lt;fleet&gt;/versions/&lt;N&gt;/generations/...        Litestream v0.3 replica of routing.db
 * fleets/&lt;fleet&gt;/edges/&lt;edge-id&gt;.json               edge reports
 * </pre>
 */
public record FleetLayout(String fleet) {
    public FleetLayout {
        Objects.requireNonNull(fleet, "fleet");
        if (!DomainNames.isValid(fleet) || fleet.contains(".")) {
            throw new IllegalArgumentException("fleet name '" + fleet + "' must be a DNS label");
        }
    }

    public String fleetPrefix() {
        return "fleets/" + fleet + "/";
    }

    public String releasePointer() {
        return fleetPrefix() + "release.json";
    }

    public String versionsPrefix() {
        return fleetPrefix() + "versions/";
    }

    /** The Litestream replica path of version N (what {@code litestream restore} is pointed at). */
    public String replicaPath(long version) {
        return versionsPrefix() + version;
    }

    public String versionPrefix(long version) {
        return replicaPath(version) + "/";
    }

    /** Written create-only before anything else of version N: two writers never share a version number. */
    public String versionClaim(long version) {
        return versionPrefix(version) + "claim";
    }

    public String manifest(long version) {
        return versionPrefix(version) + "manifest.json";
    }

    public String edgesPrefix() {
        return fleetPrefix() + "edges/";
    }

    public String edgeReport(String edgeId) {
        return edgesPrefix() + edgeId + ".json";
    }

    /** The version number in a key under {@link #versionsPrefix()}, if it is one. */
    public OptionalLong versionOf(String key) {
        if (!key.startsWith(versionsPrefix())) {
            return OptionalLong.empty();
        }
        String rest = key.substring(versionsPrefix().length());
        int slash = rest.indexOf('/');
        String number = slash < 0 ? rest : rest.substring(0, slash);
        try {
            return OptionalLong.of(Long.parseLong(number));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
