package io.pbx3sbc.edge.dns;

import io.pbx3sbc.edge.routing.Backend;
import io.pbx3sbc.edge.sip.transport.Peer;
import io.pbx3sbc.routingdb.model.SipUri;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 3263 order, TTLs and failure handling with DNS answers given by hand. */
class BackendResolverTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final Map<String, List<BackendResolver.DnsClient.Srv>> srv = new ConcurrentHashMap<>();
    final Map<String, List<BackendResolver.DnsClient.Address>> a = new ConcurrentHashMap<>();
    final List<String> asked = new ArrayList<>();
    volatile boolean failing;
    final BackendResolver resolver = new BackendResolver(new BackendResolver.DnsClient() {
        @Override
        public List<Srv> srv(String name) throws IOException {
            return answer(name, srv);
        }

        @Override
        public List<Address> addresses(String name) throws IOException {
            return answer(name, a);
        }

        private <T> List<T> answer(String name, Map<String, List<T>> from) throws IOException {
            synchronized (asked) {
                asked.add(name);
            }
            if (failing) {
                throw new IOException("SERVFAIL");
            }
            return from.getOrDefault(name, List.of());
        }
    }, now::get);

    @AfterEach
    void close() {
        resolver.close();
    }

    static Backend backend(String uri) {
        return new Backend(uri, SipUri.parse(uri), 0, 1, 0);
    }

    static BackendResolver.DnsClient.Address ip(String ip, long ttl) throws IOException {
        return new BackendResolver.DnsClient.Address(InetAddress.getByName(ip), ttl);
    }

    static List<String> keys(List<BackendResolver.Target> targets) {
        return targets.stream().map(t -> t.transport() + "/" + t.key()).toList();
    }

    @Test
    void anIpLiteralIsNeverLookedUp() {
        assertThat(keys(resolver.targets(backend("sip:10.0.0.1:5080;transport=tcp")))).containsExactly("TCP/10.0.0.1:5080");
        assertThat(keys(resolver.targets(backend("sips:[2001:db8::1]")))).containsExactly("TLS/2001:db8:0:0:0:0:0:1:5061");
        assertThat(asked).isEmpty();
    }

    @Test
    void aNameWithoutPortGoesBySrvInPriorityThenWeightOrder() throws IOException {
        srv.put("_sip._udp.pbx.example.com", List.of(new BackendResolver.DnsClient.Srv(20, 5, 5080, "c.example.com", 300),
                new BackendResolver.DnsClient.Srv(10, 1, 5060, "b.example.com", 300),
                new BackendResolver.DnsClient.Srv(10, 9, 5070, "a.example.com", 300)));
        a.put("a.example.com", List.of(ip("10.0.0.1", 300)));
        a.put("b.example.com", List.of(ip("10.0.0.2", 300)));
        a.put("c.example.com", List.of(ip("10.0.0.3", 300)));
        assertThat(keys(resolver.targets(backend("sip:pbx.example.com"))))
                .containsExactly("UDP/10.0.0.1:5070", "UDP/10.0.0.2:5060", "UDP/10.0.0.3:5080");
        srv.put("_sips._tcp.tls.example.com", List.of(new BackendResolver.DnsClient.Srv(1, 1, 5061, "a.example.com", 300)));
        assertThat(keys(resolver.targets(backend("sips:tls.example.com")))).containsExactly("TLS/10.0.0.1:5061");
        assertThat(resolver.isBackendAddress("10.0.0.3")).isTrue();
        assertThat(resolver.isBackendAddress("10.9.9.9")).isFalse();
    }

    @Test
    void aNameWithAPortOrWithoutSrvGoesByItsAddresses() throws IOException {
        a.put("asterisk-a.pbx.svc", List.of(ip("10.1.0.5", 30), ip("10.1.0.6", 30)));
        assertThat(keys(resolver.targets(backend("sip:asterisk-a.pbx.svc:5060;transport=tcp"))))
                .containsExactly("TCP/10.1.0.5:5060", "TCP/10.1.0.6:5060");
        assertThat(asked).doesNotContain("_sip._tcp.asterisk-a.pbx.svc");
        assertThat(keys(resolver.targets(backend("sip:asterisk-a.pbx.svc")))).containsExactly("UDP/10.1.0.5:5060", "UDP/10.1.0.6:5060");
        assertThat(asked).contains("_sip._udp.asterisk-a.pbx.svc");
    }

    @Test
    void anAnswerIsKeptForItsTtlThenRefreshedWhileTheOldOneIsStillServed() throws Exception {
        a.put("pbx.example.com", List.of(ip("10.0.0.1", 30)));
        Backend b = backend("sip:pbx.example.com:5060");
        assertThat(keys(resolver.targets(b))).containsExactly("UDP/10.0.0.1:5060");
        a.put("pbx.example.com", List.of(ip("10.0.0.2", 30)));
        now.addAndGet(29_000);
        assertThat(keys(resolver.targets(b))).as("within the TTL").containsExactly("UDP/10.0.0.1:5060");
        int before = asked.size();
        now.addAndGet(2_000);
        assertThat(keys(resolver.targets(b))).as("expired: the old answer while the refresh runs").containsExactly("UDP/10.0.0.1:5060");
        long deadline = System.currentTimeMillis() + 5000;
        while (!keys(resolver.targets(b)).equals(List.of("UDP/10.0.0.2:5060")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(keys(resolver.targets(b))).containsExactly("UDP/10.0.0.2:5060");
        assertThat(asked.size()).isGreaterThan(before);
        assertThat(resolver.isBackendAddress("10.0.0.2")).as("trusted as soon as it is a target").isTrue();
        while (resolver.isBackendAddress("10.0.0.1") && System.currentTimeMillis() < deadline) {
            Thread.sleep(5); // the refresh forgets the old address right after it publishes the new one
        }
        assertThat(resolver.isBackendAddress("10.0.0.1")).as("an address it left").isFalse();
    }

    @Test
    void aFailedRefreshKeepsTheLastAnswerAndANameThatDoesNotExistHasNoTarget() throws Exception {
        a.put("pbx.example.com", List.of(ip("10.0.0.1", 10)));
        Backend b = backend("sip:pbx.example.com:5060");
        assertThat(resolver.targets(b)).hasSize(1);
        failing = true;
        now.addAndGet(11_000);
        resolver.targets(b);
        Thread.sleep(200); // the background refresh fails
        assertThat(keys(resolver.targets(b))).as("DNS down: keep calling where it was").containsExactly("UDP/10.0.0.1:5060");
        failing = false;
        assertThat(resolver.targets(backend("sip:nowhere.example.com:5060"))).isEmpty();
    }
}
