package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.HostPort;
import io.pbx3sbc.edge.sip.msg.SipUri;

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

    public boolean isOurs(SipUri uri) {
        return uri != null && uri.isSip() && names.contains(uri.hostName() + ":" + uri.portOrDefault());
    }
}
