package io.pbx3sbc.edge.sip.msg;

import java.util.Locale;

/** One Via element: "SIP/2.0/UDP host:port;branch=...;received=...;rport=...". */
public final class ViaHop {
    private final String transport;
    private final String host;
    private final int port;
    private final Params params;
    private final String text;

    private ViaHop(String transport, String host, int port, Params params, String text) {
        this.transport = transport;
        this.host = host;
        this.port = port;
        this.params = params;
        this.text = text;
    }

    public static ViaHop parse(String s) {
        String t = s.trim();
        int n = t.length();
        // sent-protocol: "SIP" "/" "2.0" "/" transport, with optional whitespace around the slashes
        int i = skipSpace(t, 0);
        int nameEnd = scanToken(t, i);
        if (!t.regionMatches(true, i, "SIP", 0, 3) || nameEnd - i != 3) {
            throw new MalformedMessageException("bad Via protocol");
        }
        i = expectSlash(t, skipSpace(t, nameEnd));
        int versionEnd = scanToken(t, i);
        if (versionEnd - i != 3 || !t.startsWith("2.0", i)) {
            throw new MalformedMessageException("bad Via protocol");
        }
        i = expectSlash(t, skipSpace(t, versionEnd));
        int transportEnd = i;
        while (transportEnd < n && Character.isLetter(t.charAt(transportEnd))) {
            transportEnd++;
        }
        if (transportEnd == i || (transportEnd < n && t.charAt(transportEnd) != ' ' && t.charAt(transportEnd) != '\t')) {
            throw new MalformedMessageException("bad Via transport");
        }
        String transport = t.substring(i, transportEnd).toUpperCase(Locale.ROOT);
        int hostStart = skipSpace(t, transportEnd);
        int semi = t.indexOf(';', hostStart);
        int sentByEnd = semi < 0 ? n : semi;
        while (sentByEnd > hostStart && (t.charAt(sentByEnd - 1) == ' ' || t.charAt(sentByEnd - 1) == '\t')) {
            sentByEnd--;
        }
        String host;
        int port = -1;
        if (hostStart < sentByEnd && t.charAt(hostStart) == '[') {
            int close = t.indexOf(']', hostStart);
            if (close < 0 || close >= sentByEnd || !Syntax.isIpv6Reference(t.substring(hostStart, close + 1))) {
                throw new MalformedMessageException("bad Via host");
            }
            host = t.substring(hostStart, close + 1);
            int after = skipSpace(t, close + 1);
            if (after < sentByEnd) {
                if (t.charAt(after) != ':') {
                    throw new MalformedMessageException("bad Via sent-by");
                }
                port = Syntax.port(t.substring(skipSpace(t, after + 1), sentByEnd));
            }
        } else {
            int colon = t.indexOf(':', hostStart);
            int hostEnd = colon < 0 || colon > sentByEnd ? sentByEnd : colon;
            host = t.substring(hostStart, hostEnd).trim();
            if (hostEnd < sentByEnd) {
                port = Syntax.port(t.substring(hostEnd + 1, sentByEnd).trim());
            }
            if (!Syntax.isHostname(host)) {
                throw new MalformedMessageException("bad Via host");
            }
        }
        Params params = semi < 0 ? Params.EMPTY : Params.parse(t, semi, true);
        String rport = params.get("rport");
        if (rport != null && !rport.isEmpty()) {
            Syntax.port(rport);
        }
        return new ViaHop(transport, host, port, params, t);
    }

    private static int skipSpace(String t, int i) {
        while (i < t.length() && (t.charAt(i) == ' ' || t.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int scanToken(String t, int i) {
        while (i < t.length() && Syntax.isTokenChar(t.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int expectSlash(String t, int i) {
        if (i >= t.length() || t.charAt(i) != '/') {
            throw new MalformedMessageException("bad Via protocol");
        }
        return skipSpace(t, i + 1);
    }

    /** A Via the edge adds: branch and an empty rport (RFC 3581). */
    public static ViaHop ours(String transport, String host, int port, String branch) {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        String text = "SIP/2.0/" + transport + " " + h + ":" + port + ";branch=" + branch + ";rport";
        return new ViaHop(transport, h, port, Params.EMPTY.with("branch", branch).with("rport", null), text);
    }

    public String transport() {
        return transport;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String branch() {
        return params.get("branch");
    }

    public String received() {
        String r = params.get("received");
        return r == null || r.isEmpty() ? null : r;
    }

    /** The rport value, or -1 when absent or empty. */
    public int rport() {
        String r = params.get("rport");
        return r == null || r.isEmpty() ? -1 : Integer.parseInt(r);
    }

    /** force_rport: the same hop, stamped with where it really came from. */
    public ViaHop received(String ip, int port) {
        Params p = params.with("received", ip).with("rport", String.valueOf(port));
        StringBuilder sb = new StringBuilder(text.length() + 40).append("SIP/2.0/").append(transport).append(' ').append(host);
        if (this.port > 0) {
            sb.append(':').append(this.port);
        }
        p.appendTo(sb);
        return new ViaHop(transport, host, this.port, p, sb.toString());
    }

    @Override
    public String toString() {
        return text;
    }
}
