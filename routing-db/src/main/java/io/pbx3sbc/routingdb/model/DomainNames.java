package io.pbx3sbc.routingdb.model;

import java.util.regex.Pattern;

/** The one definition of a tenant domain name: a lower-case FQDN (RFC 1123 labels). */
public final class DomainNames {
    /** Also used, verbatim, as the CRD schema pattern. */
    public static final String PATTERN =
            "^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$";
    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private DomainNames() {
    }

    public static boolean isValid(String domain) {
        return domain != null && COMPILED.matcher(domain).matches();
    }

    public static void requireValid(String domain) {
        if (!isValid(domain)) {
            throw new IllegalArgumentException("'" + domain + "' is not a lower-case domain name (RFC 1123)");
        }
    }
}
