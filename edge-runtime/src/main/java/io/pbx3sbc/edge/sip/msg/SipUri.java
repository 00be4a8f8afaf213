package io.pbx3sbc.edge.sip.msg;

import java.util.Locale;

/**
 * A SIP, SIPS or tel URI as the edge needs it: scheme, user, host, port and parameters, parsed strictly
 * once (a URI that does not parse makes its whole message malformed) and rendered back as received.
 */
public final class SipUri {
    private final String text;
    private final String scheme;
    private final String user;
    private final String host;
    private final int port;
    private final Params params;

    private SipUri(String text, String scheme, String user, String host, int port, Params params) {
        this.text = text;
        this.scheme = scheme;
        this.user = user;
        this.host = host;
        this.port = port;
        this.params = params;
    }

    /** @throws MalformedMessageException when it is not a sip, sips or tel URI with a valid host */
    public static SipUri parse(String s) {
        int colon = s.indexOf(':');
        if (colon <= 0) {
            throw new MalformedMessageException("URI without scheme: " + shorten(s));
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = s.substring(colon + 1);
        if (scheme.equals("tel")) {
            if (rest.isEmpty() || !Syntax.isUriText(rest)) {
                throw new MalformedMessageException("bad tel URI");
            }
            return new SipUri(s, scheme, rest, null, -1, Params.EMPTY);
        }
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            throw new MalformedMessageException("URI scheme is not sip, sips or tel: " + shorten(s));
        }
        int headers = rest.indexOf('?');
        if (headers >= 0) {
            rest = rest.substring(0, headers);
        }
        String user = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
            if (user.isEmpty() || !Syntax.isUriText(user)) {
                throw new MalformedMessageException("bad user part in " + shorten(s));
            }
        }
        int semi = rest.indexOf(';');
        String hostPort = semi < 0 ? rest : rest.substring(0, semi);
        Params params = semi < 0 ? Params.EMPTY : Params.parse(rest.substring(semi), false);
        String host;
        int port = -1;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new MalformedMessageException("unclosed IPv6 reference in " + shorten(s));
            }
            host = hostPort.substring(0, close + 1);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (after.charAt(0) != ':') {
                    throw new MalformedMessageException("bad host in " + shorten(s));
                }
                port = Syntax.port(after.substring(1));
            }
            if (!Syntax.isIpv6Reference(host)) {
                throw new MalformedMessageException("bad IPv6 reference in " + shorten(s));
            }
        } else {
            int pc = hostPort.indexOf(':');
            host = pc < 0 ? hostPort : hostPort.substring(0, pc);
            if (pc >= 0) {
                port = Syntax.port(hostPort.substring(pc + 1));
            }
            if (!Syntax.isHostname(host)) {
                throw new MalformedMessageException("bad host in " + shorten(s));
            }
        }
        return new SipUri(s, scheme, user, host, port, params);
    }

    /** A URI the edge makes itself (Record-Route, probes); {@code params} as rendered, e.g. ";lr;transport=tcp". */
    public static SipUri of(String user, String host, int port, String params) {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        StringBuilder sb = new StringBuilder("sip:");
        if (user != null) {
            sb.append(user).append('@');
        }
        sb.append(h);
        if (port > 0) {
            sb.append(':').append(port);
        }
        sb.append(params == null ? "" : params);
        return parse(sb.toString());
    }

    public String scheme() {
        return scheme;
    }

    public boolean isSip() {
        return host != null;
    }

    public boolean isSecure() {
        return scheme.equals("sips");
    }

    public String user() {
        return user;
    }

    /** The host as written (IPv6 references keep their brackets); null for tel URIs. */
    public String host() {
        return host;
    }

    /** The host without IPv6 brackets, lower case. */
    public String hostName() {
        if (host == null) {
            return null;
        }
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.toLowerCase(Locale.ROOT);
    }

    /** The explicit port, or -1. */
    public int port() {
        return port;
    }

    /** The port, or the scheme's default (5061 for sips, 5060 otherwise). */
    public int portOrDefault() {
        return port > 0 ? port : isSecure() ? 5061 : 5060;
    }

    public String param(String name) {
        return params.get(name);
    }

    public boolean hasParam(String name) {
        return params.has(name);
    }

    /** The transport parameter, lower case, or null. */
    public String transport() {
        String t = params.get("transport");
        return t == null ? null : t.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return text;
    }

    static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
