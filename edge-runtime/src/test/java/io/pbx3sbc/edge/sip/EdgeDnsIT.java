package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.Edge;
import io.pbx3sbc.edge.EdgeConfig;
import io.pbx3sbc.edge.dns.TestDnsServer;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.Probing;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.testing.Fixtures;
import io.pbx3sbc.routingdb.testing.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backends named by DNS, against a real DNS server on loopback (no /etc/hosts): a name with a port by
 * its A record (and the call follows the record when it changes), a name without one by SRV with
 * failover between its targets, and hang-ups that follow the dialog, not the name.
 */
class EdgeDnsIT {
    static final String EDGE_IP = "127.0.5.1";

    @TempDir
    static Path work;
    static TestDnsServer dns;
    static Edge edge;
    static InetSocketAddress edgeAddr;
    static SipWire.UdpPeer pbxOld;
    static SipWire.UdpPeer pbxNew;
    static SipWire.UdpPeer srvDead;
    static SipWire.UdpPeer srvLive;

    @BeforeAll
    static void start() throws Exception {
        dns = new TestDnsServer("127.0.5.53");
        int pbxPort = Ports.free();
        pbxOld = new SipWire.UdpPeer("127.0.5.10", pbxPort, true);
        pbxNew = new SipWire.UdpPeer("127.0.5.11", pbxPort, true);
        srvDead = new SipWire.UdpPeer("127.0.5.20", 0, true); // answers probes, never a call
        srvLive = new SipWire.UdpPeer("127.0.5.21", 0, true);
        dns.a("pbx.dns.test.", 1, "127.0.5.10");
        dns.srv("_sip._udp.trunk.dns.test.", 60, 10, 1, srvDead.address().getPort(), "a.trunk.dns.test.");
        dns.srv("_sip._udp.trunk.dns.test.", 60, 20, 1, srvLive.address().getPort(), "b.trunk.dns.test.");
        dns.a("a.trunk.dns.test.", 60, "127.0.5.20");
        dns.a("b.trunk.dns.test.", 60, "127.0.5.21");
        Probing probing = new Probing("OPTIONS", 1, 1, 1, List.of(200), 1000);
        RoutingModel model = new RoutingModel(List.of(
                new Domain("named.example.com", 1, true, "", null),
                new Domain("srv.example.com", 2, true, "", null)),
                List.of(new DispatcherSet(1, "named", Algorithm.ROUND_ROBIN, probing,
                                List.of(new Destination(1, "sip:pbx.dns.test:" + pbxPort, 0, 1, 1, ""))),
                        new DispatcherSet(2, "srv", Algorithm.ROUND_ROBIN, probing,
                                List.of(new Destination(2, "sip:trunk.dns.test", 0, 1, 1, "")))));
        Path db = new RoutingDbBuilder().build(model, Fixtures.version(1), work.resolve("routing.db")).file();
        edgeAddr = new InetSocketAddress(EDGE_IP, Ports.free());
        edge = Edge.start(EdgeConfig.parse(new String[] {"--routing-db", db.toString(),
                "--sip-listen", EDGE_IP + ":" + edgeAddr.getPort(), "--admin-listen", "127.0.0.1:" + Ports.free(),
                "--dns-server", dns.address().getHostString() + ":" + dns.address().getPort(),
                "--edge-id", "dns-it", "--fr-timer", "1s", "--fr-inv-timer", "5s"}, Map.of()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {pbxOld, pbxNew, srvDead, srvLive, dns}) {
            if (c != null) {
                c.close();
            }
        }
    }

    static String invite(String domain, InetSocketAddress from) {
        return SipWire.request("INVITE", "sip:100@" + domain, "sip:100@" + domain, null, 70, null, from, "UDP", List.of());
    }

    @Test
    void aNamedBackendIsCalledAtItsAddressHangsUpBothWaysAndFollowsItsRecordWhenItChanges() throws Exception {
        try (SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.5.100")) {
            caller.send(invite("named.example.com", caller.address()), edgeAddr);
            String atPbx = pbxOld.nextRequest(3000).orElseThrow(() -> new AssertionError("the named backend got no INVITE"));
            String ok = SipWire.okFor(atPbx).replace("<sip:backend@127.0.0.1>", "<sip:asterisk@pbx.dns.test>"); // a Contact by name
            pbxOld.send(ok, edgeAddr);
            String okAtCaller = caller.nextFinal(3000).orElseThrow();
            assertThat(okAtCaller).startsWith("SIP/2.0 200");
            String rr = SipWire.header(okAtCaller, "Record-Route");
            String callId = SipWire.header(atPbx, "Call-ID");
            String fromTag = SipWire.header(atPbx, "From").replaceAll(".*;tag=", "");

            // the caller hangs up towards the backend's Contact, a name: the dialog knows where it is
            String bye = "BYE sip:asterisk@pbx.dns.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.5.100:" + caller.address().getPort()
                    + ";branch=z9hG4bK-dnsbye\r\nRoute: " + rr + "\r\nMax-Forwards: 70\r\nFrom: <sip:tester@example.org>;tag=" + fromTag
                    + "\r\nTo: <sip:100@named.example.com>;tag=b1\r\nCall-ID: " + callId + "\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
            caller.send(bye, edgeAddr);
            String byeAtPbx = pbxOld.nextRequest(3000).orElseThrow(() -> new AssertionError("no BYE at the backend"));
            assertThat(byeAtPbx).startsWith("BYE sip:asterisk@pbx.dns.test");
            pbxOld.send(SipWire.okFor(byeAtPbx), edgeAddr);
            assertThat(caller.nextFinal(3000).orElseThrow()).startsWith("SIP/2.0 200");
        }

        // the record moves (a pod rescheduled): after its 1-s TTL new calls go to the new address
        dns.a("pbx.dns.test.", 1, "127.0.5.11");
        long deadline = System.currentTimeMillis() + 10_000;
        boolean moved = false;
        while (!moved && System.currentTimeMillis() < deadline) {
            try (SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.5.101")) {
                caller.send(invite("named.example.com", caller.address()), edgeAddr);
                var atNew = pbxNew.nextRequest(1500);
                if (atNew.isPresent()) {
                    pbxNew.send(SipWire.okFor(atNew.get()), edgeAddr);
                    assertThat(caller.nextFinal(3000).orElseThrow()).startsWith("SIP/2.0 200");
                    moved = true;
                } else {
                    pbxOld.nextRequest(100).ifPresent(m -> {
                        try {
                            pbxOld.send(SipWire.okFor(m), edgeAddr);
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
            }
        }
        assertThat(moved).as("calls follow the changed A record").isTrue();
    }

    @Test
    void aNameWithoutPortGoesBySrvAndFailsOverToItsNextTarget() throws Exception {
        try (SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.5.102")) {
            caller.send(invite("srv.example.com", caller.address()), edgeAddr);
            assertThat(srvDead.nextRequest(3000)).as("priority 10 first").hasValueSatisfying(m -> assertThat(m).startsWith("INVITE"));
            String atLive = srvLive.nextRequest(4000).orElseThrow(() -> new AssertionError("no failover to the priority-20 target"));
            assertThat(atLive).startsWith("INVITE sip:100@srv.example.com");
            srvLive.send(SipWire.okFor(atLive), edgeAddr);
            assertThat(caller.nextFinal(3000).orElseThrow()).startsWith("SIP/2.0 200");
        }
    }
}
