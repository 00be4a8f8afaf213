package io.pbx3sbc.operator.edgefleet;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeCoalescerTest {
    final AtomicLong now = new AtomicLong();
    final ChangeCoalescer c = new ChangeCoalescer(Duration.ofMillis(150), Duration.ofSeconds(2), now::get);

    void advance(long millis) {
        now.addAndGet(Duration.ofMillis(millis).toNanos());
    }

    @Test
    void withoutChangesThereIsNothingToWaitFor() {
        assertThat(c.waitBeforeCompile("ns/edge")).isZero();
    }

    @Test
    void aBurstIsCompiledOnceItHasBeenQuiet() {
        c.changed("ns/edge");
        advance(100);
        c.changed("ns/edge");
        assertThat(c.waitBeforeCompile("ns/edge")).isEqualTo(Duration.ofMillis(150));
        advance(150);
        assertThat(c.waitBeforeCompile("ns/edge")).isZero();
        assertThat(c.waitBeforeCompile("ns/edge")).as("the burst is consumed").isZero();
    }

    @Test
    void aSteadyStreamIsStillCompiledWithinTheMaximumWait() {
        c.changed("ns/edge");
        for (int i = 0; i < 19; i++) {
            advance(100);
            c.changed("ns/edge");
        }
        assertThat(c.waitBeforeCompile("ns/edge")).isEqualTo(Duration.ofMillis(100));
        advance(100);
        assertThat(c.waitBeforeCompile("ns/edge")).isZero();
    }

    @Test
    void fleetsAreIndependent() {
        c.changed("ns/a");
        assertThat(c.waitBeforeCompile("ns/b")).isZero();
        assertThat(c.waitBeforeCompile("ns/a")).isPositive();
    }
}
