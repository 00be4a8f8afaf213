package io.pbx3sbc.edge.sip;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class FloodGuardTest {
    private final AtomicLong now = new AtomicLong(10_000);

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void aSourceOverTheLimitIsBannedForTheBanTimeAndOthersAreNot() throws Exception {
        FloodGuard g = new FloodGuard(100, 60_000, 1000, now::get);
        InetAddress flooder = ip("198.51.100.7");
        InetAddress phone = ip("203.0.113.5");
        for (int i = 0; i < 100; i++) {
            assertThat(g.admit(flooder)).isTrue();
        }
        assertThat(g.admit(flooder)).as("the 101st message in one second").isFalse();
        assertThat(g.admit(phone)).isTrue();
        now.addAndGet(59_000);
        assertThat(g.admit(flooder)).as("still banned").isFalse();
        now.addAndGet(1_001);
        assertThat(g.admit(flooder)).as("the ban ran out").isTrue();
        assertThat(g.bannedCount()).isEqualTo(1);
        assertThat(g.blockedCount()).isEqualTo(2);
    }

    @Test
    void theLimitIsPerSecondSoASteadySenderUnderItIsNeverBanned() throws Exception {
        FloodGuard g = new FloodGuard(100, 60_000, 1000, now::get);
        InetAddress trunk = ip("192.0.2.10");
        for (int second = 0; second < 30; second++) {
            for (int i = 0; i < 90; i++) {
                assertThat(g.admit(trunk)).isTrue();
            }
            now.addAndGet(1000);
        }
        assertThat(g.bannedCount()).isZero();
    }

    @Test
    void exemptSourcesAreNeverCounted() throws Exception {
        FloodGuard g = new FloodGuard(10, 60_000, 1000, now::get);
        InetAddress backend = ip("10.0.0.5");
        g.exemptWhen(backend::equals);
        for (int i = 0; i < 1000; i++) {
            assertThat(g.admit(backend)).isTrue();
        }
        assertThat(g.trackedSources()).isZero();
    }

    @Test
    void spoofedSourcesCannotGrowTheTablesPastTheirBound() throws Exception {
        FloodGuard g = new FloodGuard(1, 60_000, 500, now::get);
        for (int i = 0; i < 5000; i++) {
            InetAddress a = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
            g.admit(a);
            g.admit(a);
        }
        assertThat(g.trackedSources()).isLessThanOrEqualTo(500);
        assertThat(g.bannedNow()).isLessThanOrEqualTo(500);
        now.addAndGet(61_000);
        g.sweep();
        assertThat(g.trackedSources()).isZero();
        assertThat(g.bannedNow()).isZero();
    }

    @Test
    void offLetsEverythingThrough() throws Exception {
        FloodGuard g = new FloodGuard(0, 60_000, 10, now::get);
        for (int i = 0; i < 10_000; i++) {
            assertThat(g.admit(ip("198.51.100.7"))).isTrue();
        }
        assertThat(g.enabled()).isFalse();
    }
}
