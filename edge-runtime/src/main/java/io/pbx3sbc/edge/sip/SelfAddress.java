package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.HostPort;
import io.pbx3sbc.edge.sip.msg.SipUri;
import io.pbx3sbc.edge.sip.transport.Peer;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The addresses that mean "this edge": where it listens, what it advertises in Record-Route, what it names in Path,
 * and what it puts in Via, for UDP/TCP on one port and TLS on another. A Route or Request-URI naming
 * one of them is addressed to us.
 *
 * @param tlsListen     null when the edge has no TLS listener
 * @param tlsAdvertised what TLS callers reach (null: no TLS listener)
 * @param path          what a registrar reaches this edge alone at (its pod IP; its TLS port for TLS): the
 *                      host of our Path entries, so requests for a phone come to the edge holding its flow
 */
public record SelfAddress(HostPort listen, HostPort advertised, HostPort via, HostPort tlsListen, HostPort tlsAdvertised,
                          HostPort path, Set<String> names) {

    public SelfAddress(HostPort listen, HostPort advertised, HostPort via) {
        this(listen, advertised, via, null, null);
    }

    public SelfAddress(HostPort listen, HostPort advertised, HostPort via, HostPort tlsListen, HostPort tlsAdvertised) {
        this(listen, advertised, via, tlsListen, tlsAdvertised, advertised);
    }

    public SelfAddress(HostPort listen, HostPort advertised, HostPort via, HostPort tlsListen, HostPort tlsAdvertised, HostPort path) {
        this(listen, advertised, via, tlsListen, tlsAdvertised, path, Set.copyOf(Stream.of(listen, advertised, via, tlsListen,
                        tlsAdvertised, path, pathOverTls(path, tlsListen))
                .filter(Objects::nonNull).map(hp -> hp.host().toLowerCase(Locale.ROOT) + ":" + hp.port()).toList()));
    }

    private static HostPort pathOverTls(HostPort path, HostPort tlsListen) {
        return tlsListen == null ? null : new HostPort(path.host(), tlsListen.port());
    }

    public boolean isOurs(SipUri uri) {
        return uri != null && uri.isSip() && names.contains(uri.hostName() + ":" + uri.portOrDefault());
    }

    /**
     * The URI that brings the other side back to this edge over {@code transport} (a Record-Route);
     * {@code params} start with ';'.
     */
    public String uriFor(Peer.Transport transport, String user, String params) {
        return uri(advertised, tlsAdvertised, transport, user, params);
    }

    /** Our Path entry for a REGISTER relayed over {@code transport}: it names this edge alone. */
    public String pathUriFor(Peer.Transport transport, String user, String params) {
        return uri(path, pathOverTls(path, tlsListen), transport, user, params);
    }

    private static String uri(HostPort plain, HostPort tls, Peer.Transport transport, String user, String params) {
        return switch (transport) {
            case TLS -> tls == null ? uri(plain, null, Peer.Transport.TCP, user, params)
                    : SipUri.of(user, tls.host(), tls.port(), ";transport=tls" + params).toString();
            case TCP -> SipUri.of(user, plain.host(), plain.port(), ";transport=tcp" + params).toString();
            case UDP -> SipUri.of(user, plain.host(), plain.port(), params).toString();
        };
    }

    /** Our Via sent-by for a request sent over {@code transport}. */
    public HostPort viaFor(Peer.Transport transport) {
        return transport == Peer.Transport.TLS && tlsListen != null ? new HostPort(via.host(), tlsListen.port()) : via;
    }
}
