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
        int sp = 0;
        // sent-protocol: "SIP" "/" "2.0" "/" transport, with optional whitespace around the slashes
        String[] proto = new String[3];
        int part = 0;
        int start = 0;
        for (; sp < t.length(); sp++) {
            char c = t.charAt(sp);
            if (c == '/') {
                if (part >= 2) {
                    throw new MalformedMessageException("bad Via protocol");
                }
                proto[part++] = t.substring(start, sp).trim();
                start = sp + 1;
            } else if ((c == ' ' || c == '\t') && part == 2 && !t.substring(start, sp).isBlank()) {
                break;
            }
        }
        if (part != 2) {
            throw new MalformedMessageException("bad Via protocol");
        }
        proto[2] = t.substring(start, sp).trim();
        if (!proto[0].equalsIgnoreCase("SIP") || !proto[1].equals("2.0")) {
            throw new MalformedMessageException("bad Via protocol");
        }
        if (!Syntax.isToken(proto[2]) || !proto[2].chars().allMatch(Character::isLetter)) {
            throw new MalformedMessageException("bad Via transport");
        }
        String rest = t.substring(sp).trim();
        int semi = rest.indexOf(';');
        String sentBy = (semi < 0 ? rest : rest.substring(0, semi)).trim();
        Params params = semi < 0 ? Params.EMPTY : Params.parse(rest.substring(semi), true);
        String host;
        int port = -1;
        if (sentBy.startsWith("[")) {
            int close = sentBy.indexOf(']');
            if (close < 0 || !Syntax.isIpv6Reference(sentBy.substring(0, close + 1))) {
                throw new MalformedMessageException("bad Via host");
            }
            host = sentBy.substring(0, close + 1);
            String after = sentBy.substring(close + 1).trim();
            if (!after.isEmpty()) {
                if (after.charAt(0) != ':') {
                    throw new MalformedMessageException("bad Via sent-by");
                }
                port = Syntax.port(after.substring(1).trim());
            }
        } else {
            int colon = sentBy.indexOf(':');
            host = (colon < 0 ? sentBy : sentBy.substring(0, colon)).trim();
            if (colon >= 0) {
                port = Syntax.port(sentBy.substring(colon + 1).trim());
            }
            if (!Syntax.isHostname(host)) {
                throw new MalformedMessageException("bad Via host");
            }
        }
        String rport = params.get("rport");
        if (rport != null && !rport.isEmpty()) {
            Syntax.port(rport);
        }
        return new ViaHop(proto[2].toUpperCase(Locale.ROOT), host, port, params, t);
    }

    /** A Via the edge adds: branch and an empty rport (RFC 3581). */
    public static ViaHop ours(String transport, String host, int port, String branch) {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        String text = "SIP/2.0/" + transport + " " + h + ":" + port + ";branch=" + branch + ";rport";
        return parse(text);
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
