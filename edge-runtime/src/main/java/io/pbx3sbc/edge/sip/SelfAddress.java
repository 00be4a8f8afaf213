package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.HostPort;

import javax.sip.address.SipURI;
import javax.sip.address.URI;
import java.util.Locale;
import java.util.Set;

/**
 * The addresses that mean "this edge": where it listens, what it advertises in Record-Route, and what
 * it puts in Via. A Route or Request-URI naming one of them is addressed to us.
 */
public record SelfAddress(HostPort listen, HostPort advertised, HostPort via, Set<String> names) {

    public SelfAddress(HostPort listen, HostPort advertised, HostPort via) {
        this(listen, advertised, via, Set.copyOf(java.util.stream.Stream.of(listen, advertised, via)
                .map(hp -> hp.host().toLowerCase(Locale.ROOT) + ":" + hp.port()).toList()));
    }

    public boolean isOurs(URI uri) {
        if (!(uri instanceof SipURI sip) || sip.getHost() == null) {
            return false;
        }
        String host = stripBrackets(sip.getHost()).toLowerCase(Locale.ROOT);
        int port = sip.getPort() > 0 ? sip.getPort() : (sip.isSecure() ? 5061 : 5060);
        return names.contains(host + ":" + port);
    }

    /** Whether a Via sent-by is ours (responses to requests we relayed carry it on top). */
    public boolean isOurVia(String host, int port) {
        int p = port > 0 ? port : 5060;
        return p == via.port() && stripBrackets(host).equalsIgnoreCase(via.host());
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
