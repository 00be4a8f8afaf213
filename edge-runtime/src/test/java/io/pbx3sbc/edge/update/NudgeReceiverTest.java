package io.pbx3sbc.edge.update;

import io.pbx3sbc.routingdb.manifest.Nudge;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.manifest.TrustedKeys;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class NudgeReceiverTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final java.security.KeyPair KEYS = SigningKeys.generate();
    static final TrustedKeys TRUSTED = TrustedKeys.of(KEYS.getPublic());

    static byte[] nudge(String fleet, Instant issued, java.security.KeyPair keys) {
        ReleasePointer p = new ReleasePointer(fleet, 1L, 2L, List.of(), NOW);
        return SigningKeys.sign(Nudge.of(p, issued), keys).toJson();
    }

    final AtomicInteger looks = new AtomicInteger();
    /** Looks queued on the "updater thread", run by the test when it chooses. */
    final List<Runnable> updater = new ArrayList<>();
    final NudgeReceiver receiver = new NudgeReceiver("edge", () -> TRUSTED, CLOCK, looks::incrementAndGet,
            () -> "{\"active\":1}");

    @Test
    void nudgesThatArriveBeforeTheLookStartsShareItAndAreAnsweredAfterIt() {
        receiver.start(updater::add);
        CompletableFuture<NudgeReceiver.Reply> first = receiver.receive(nudge("edge", NOW, KEYS));
        CompletableFuture<NudgeReceiver.Reply> second = receiver.receive(nudge("edge", NOW, KEYS));
        assertThat(updater).hasSize(1);
        assertThat(first).isNotDone();

        updater.remove(0).run();
        assertThat(looks).hasValue(1);
        assertThat(first.join()).isEqualTo(new NudgeReceiver.Reply(200, "{\"active\":1}"));
        assertThat(second.join().status()).isEqualTo(200);

        receiver.receive(nudge("edge", NOW, KEYS)); // after the look started: a look of its own
        assertThat(updater).hasSize(1);
        assertThat(receiver.outcomes()).containsEntry("accepted", 3L);
    }

    @Test
    void anythingNotSignedFreshAndForThisFleetIsRefusedWithoutALook() {
        receiver.start(updater::add);
        assertThat(receiver.receive("{".getBytes(StandardCharsets.UTF_8)).join().status()).isEqualTo(400);
        assertThat(receiver.receive(nudge("other", NOW, KEYS)).join().status()).isEqualTo(403);
        assertThat(receiver.receive(nudge("edge", NOW.minusSeconds(3600), KEYS)).join().status()).isEqualTo(403);
        assertThat(receiver.receive(nudge("edge", NOW, SigningKeys.generate())).join().status()).isEqualTo(403);
        assertThat(updater).isEmpty();
        assertThat(receiver.outcomes()).containsEntry("malformed", 1L).containsEntry("refused", 3L);
    }

    @Test
    void beforeTheUpdaterRunsANudgeIsTurnedAwayAndAFailedLookSaysSo() {
        assertThat(receiver.receive(nudge("edge", NOW, KEYS)).join().status()).isEqualTo(503);
        NudgeReceiver failing = new NudgeReceiver("edge", () -> TRUSTED, CLOCK, () -> {
            throw new IllegalStateException("store down");
        }, () -> "");
        failing.start(Runnable::run);
        assertThat(failing.receive(nudge("edge", NOW, KEYS)).join().status()).isEqualTo(500);
    }
}
