package io.pbx3sbc.edge.routing;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the edge lets in: scanner User-Agents (case-insensitive regex, the seed's list by default),
 * whether the Request-URI host must equal the To host, and the methods it serves.
 */
public record ProtectionPolicy(Pattern scannerUserAgents, boolean requireRequestUriMatchesTo, Set<String> allowedMethods) {
    public static final String DEFAULT_SCANNERS = "sipvicious|friendly-scanner|sipcli|nmap";
    public static final Set<String> DEFAULT_METHODS = Set.of("REGISTER", "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS");
    public static final ProtectionPolicy DEFAULT = of(DEFAULT_SCANNERS, true, DEFAULT_METHODS);

    public ProtectionPolicy {
        Objects.requireNonNull(scannerUserAgents, "scannerUserAgents");
        allowedMethods = Set.copyOf(allowedMethods);
    }

    public static ProtectionPolicy of(String scannerRegex, boolean requireMatch, Set<String> methods) {
        return new ProtectionPolicy(Pattern.compile(scannerRegex, Pattern.CASE_INSENSITIVE), requireMatch, methods);
    }

    public boolean isScanner(String userAgent) {
        return userAgent != null && scannerUserAgents.matcher(userAgent).find();
    }
}
