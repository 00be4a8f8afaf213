package io.pbx3sbc.routingdb.model;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A destination URI as the dispatcher table holds it: {@code sip:host[:port][;params]} or {@code sips:...}.
 * Only what a backend address needs; a user part or headers are refused because a destination is a
 * host, not an address-of-record.
 */
public record SipUri(String scheme, String host, int port, String transport) {

    /** Also used, verbatim, as the CRD schema pattern for destination URIs. */
    public static final String PATTERN =
            "^sips?:(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:[0-9]{1,5})?(;[A-Za-z0-9_.!~*'()%+-]+(=[A-Za-z0-9_.!~*'()%+:-]+)?)*$";
    private static final Pattern PARSER = Pattern.compile(
            "^(sips?):(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::([0-9]{1,5}))?((?:;[A-Za-z0-9_.!~*'()%+-]+(?:=[A-Za-z0-9_.!~*'()%+:-]+)?)*)$");

    public SipUri {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
    }

    /** Parses a destination URI, or throws {@link IllegalArgumentException} saying what is wrong. */
    public static SipUri parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("destination URI is empty");
        }
        Matcher m = PARSER.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a SIP URI of the form sip:host[:port][;params]");
        }
        String scheme = m.group(1);
        String host = m.group(2).toLowerCase(Locale.ROOT);
        int port = scheme.equals("sips") ? 5061 : 5060;
        if (m.group(4) != null) {
            port = Integer.parseInt(m.group(4));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("'" + text + "' has port " + port + ", outside 1..65535");
            }
        }
        if (!host.startsWith("[") && host.matches("[0-9.]+") && !isIpv4(host)) {
            throw new IllegalArgumentException("'" + text + "' has an invalid IPv4 address");
        }
        String transport = scheme.equals("sips") ? "tls" : "udp";
        for (String param : m.group(5).split(";")) {
            if (param.toLowerCase(Locale.ROOT).startsWith("transport=")) {
                transport = param.substring("transport=".length()).toLowerCase(Locale.ROOT);
                if (transport.matches("sctp|ws|wss")) {
                    throw new IllegalArgumentException("'" + text + "' has transport " + transport
                            + ", which the edge cannot reach backends over: use udp, tcp or tls");
                }
                if (!transport.matches("udp|tcp|tls")) {
                    throw new IllegalArgumentException("'" + text + "' has unknown transport " + transport);
                }
                if (scheme.equals("sips") && !transport.equals("tls")) {
                    throw new IllegalArgumentException("'" + text + "' is a sips: URI over " + transport
                            + ": sips: means TLS (drop the transport parameter, or use sip:)");
                }
            }
        }
        return new SipUri(scheme, host, port, transport);
    }

    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
