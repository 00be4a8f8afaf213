package io.pbx3sbc.operator.api.v1alpha1;

/** The API's group, version and category in one place. */
public final class Api {
    public static final String GROUP = "pbx3sbc.io";
    public static final String VERSION = "v1alpha1";
    /** {@code kubectl get pbx3sbc} lists all three kinds. */
    public static final String CATEGORY = "pbx3sbc";

    /** RE2-compatible (no look-ahead: the API server's validator is Go): lower-case DNS name; length via maxLength. */
    public static final String DOMAIN_PATTERN =
            "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$";
    /** host[:port] an edge advertises: a name, an IPv4 address or a bracketed IPv6 address. */
    public static final String HOST_PORT_PATTERN = "^[A-Za-z0-9.:\\[\\]-]+(:[0-9]{1,5})?$";

    /** A sip: or sips: URI with host, optional port and parameters, as routing-db's SipUri accepts. */
    public static final String SIP_URI_PATTERN =
            "^sips?:(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:[0-9]{1,5})?(;[A-Za-z0-9_.!~*'()%+-]+(=[A-Za-z0-9_.!~*'()%+:-]+)?)*$";
    /** Kubernetes object names (DNS-1123 subdomain). */
    public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    private Api() {
    }
}
