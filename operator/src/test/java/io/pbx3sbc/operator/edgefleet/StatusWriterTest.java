package io.pbx3sbc.operator.edgefleet;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class StatusWriterTest {

    @Test
    void urgentWritesGoFirstAndANewerWriteForAQueuedObjectReplacesTheOlder() throws Exception {
        List<String> done = new CopyOnWriteArrayList<>();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(4);
        try (StatusWriter writer = new StatusWriter(1)) {
            writer.submit("SipDomain/ns/first/edge", () -> {
                started.countDown();
                await(busy);
                done.add("first");
                all.countDown();
            }, false);
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue(); // the one worker is busy from here
            writer.submit("SipDomain/ns/a/edge", () -> { done.add("a (old)"); all.countDown(); }, false);
            writer.submit("SipDomain/ns/b/edge", () -> { done.add("b"); all.countDown(); }, false);
            writer.submit("SipDomain/ns/a/edge", () -> { done.add("a"); all.countDown(); }, false);
            writer.submit("SipDomain/ns/refused/edge", () -> { done.add("refused"); all.countDown(); }, true);
            writer.submit("SipDomain/ns/b/edge", () -> { done.add("b (urgent now)"); all.countDown(); }, true);
            assertThat(writer.backlog()).isEqualTo(3);
            assertThat(writer.urgentBacklog()).isEqualTo(2);
            assertThat(writer.backlog(k -> k.startsWith("SipDomain/ns/a/"))).isEqualTo(1);

            busy.countDown();
            all.await(5, TimeUnit.SECONDS);
            Thread.sleep(100);
        }
        assertThat(done).containsExactly("first", "refused", "b (urgent now)", "a");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
