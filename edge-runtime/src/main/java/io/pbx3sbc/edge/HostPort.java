package io.pbx3sbc.edge;

import java.util.Objects;

/** A host (name, IPv4, or bracketed IPv6) and a port, as given on the command line. */
public record HostPort(String host, int port) {
    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }

    /** Parses {@code host:port}; {@code defaultPort} applies when the port is left out. */
    public static HostPort parse(String text, int defaultPort) {
        String t = Objects.requireNonNull(text, "text").trim();
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("unclosed IPv6 bracket in '" + text + "'");
            }
            String host = t.substring(1, end);
            String rest = t.substring(end + 1);
            return new HostPort(host, rest.isEmpty() ? defaultPort : port(rest.substring(1), text));
        }
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            return new HostPort(t, defaultPort);
        }
        return new HostPort(t.substring(0, colon), port(t.substring(colon + 1), text));
    }

    private static int port(String p, String text) {
        try {
            return Integer.parseInt(p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'");
        }
    }

    /** Whether {@code host} is an IP address (IPv4, IPv6, or bracketed IPv6) rather than a name to resolve. */
    public static boolean isIpLiteral(String host) {
        return !host.isEmpty() && (host.startsWith("[") || host.indexOf(':') >= 0
                || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
