package io.pbx3sbc.edge.sip.txn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TimerWheelTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final TimerWheel wheel = new TimerWheel(10, 64, now::get);
    private final List<String> fired = new ArrayList<>();

    private void advance(long millis) {
        now.addAndGet(millis);
        wheel.advanceTo(now.get());
    }

    @Test
    void firesEachTimeoutOnceAtItsDeadlineInDeadlineOrder() {
        wheel.schedule(500, () -> fired.add("500"));
        wheel.schedule(30, () -> fired.add("30"));
        wheel.schedule(20, () -> fired.add("20"));
        advance(19);
        assertThat(fired).isEmpty();
        advance(15);
        assertThat(fired).containsExactly("20", "30");
        advance(470);
        assertThat(fired).containsExactly("20", "30", "500");
        advance(10_000);
        assertThat(fired).hasSize(3);
        assertThat(wheel.pending()).isZero();
    }

    @Test
    void timeoutsBeyondOneTurnOfTheWheelWaitTheirRounds() {
        // 64 slots of 10 ms: one turn is 640 ms; 32 s is fifty turns.
        wheel.schedule(32_000, () -> fired.add("H"));
        for (int i = 0; i < 31; i++) {
            advance(1000);
        }
        assertThat(fired).isEmpty();
        advance(1000);
        assertThat(fired).containsExactly("H");
    }

    @Test
    void aCancelledTimeoutNeverFiresAndLetsGoOfItsTask() {
        TimerWheel.Timeout t = wheel.schedule(100, () -> fired.add("x"));
        t.cancel();
        assertThat(t.cancelled()).isTrue();
        advance(200);
        assertThat(fired).isEmpty();
        assertThat(wheel.pending()).isZero();
    }

    @Test
    void aTaskMayScheduleTheNextOneAndAThrowingTaskStopsNothing() {
        // Timer A's doubling: 500, 1000, 2000 ms apart.
        long[] interval = {500};
        Runnable[] retransmit = new Runnable[1];
        retransmit[0] = () -> {
            fired.add("A@" + (now.get() - 1_000_000));
            interval[0] *= 2;
            wheel.schedule(interval[0], retransmit[0]);
        };
        wheel.schedule(500, retransmit[0]);
        wheel.schedule(400, () -> {
            throw new IllegalStateException("boom");
        });
        for (int i = 0; i < 400; i++) {
            advance(10);
        }
        assertThat(fired).containsExactly("A@500", "A@1500", "A@3500");
    }

    @Test
    void aZeroDelayRunsAtTheNextAdvance() {
        wheel.schedule(0, () -> fired.add("now"));
        wheel.advanceTo(now.get());
        assertThat(fired).containsExactly("now");
    }
}
