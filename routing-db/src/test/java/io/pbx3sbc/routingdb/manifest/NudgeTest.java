package io.pbx3sbc.routingdb.manifest;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NudgeTest {
    static final KeyPair FLEET = SigningKeys.generate();
    static final TrustedKeys TRUSTED = TrustedKeys.of(FLEET.getPublic());
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final ReleasePointer POINTER = new ReleasePointer("edge", 3L, 4L, List.of(), NOW).withOrder(17, 5);

    @Test
    void aNudgeSignedByTheFleetsKeyForItsFleetAndFreshIsTaken() throws Exception {
        Nudge n = Nudge.fromJson(SigningKeys.sign(Nudge.of(POINTER, NOW), FLEET).toJson());
        assertThat(n.refusal("edge", TRUSTED, NOW.plusSeconds(2))).isNull();
        assertThat(n.sequence()).isEqualTo(17);
        assertThat(n.epoch()).isEqualTo(5);
    }

    @Test
    void everythingElseIsRefusedWithTheReason() {
        Nudge signed = SigningKeys.sign(Nudge.of(POINTER, NOW), FLEET);
        assertThat(signed.refusal("other", TRUSTED, NOW)).isEqualTo("for fleet edge, not other");
        assertThat(signed.refusal("edge", TRUSTED, NOW.plus(Nudge.MAX_AGE).plusSeconds(1))).contains("too far from now");
        assertThat(signed.refusal("edge", TRUSTED, NOW.minus(Nudge.MAX_AGE).minusSeconds(1))).as("from the future")
                .contains("too far from now");
        assertThat(signed.refusal("edge", TrustedKeys.of(SigningKeys.generate().getPublic()), NOW))
                .isEqualTo("not signed by a trusted key");
        assertThat(Nudge.of(POINTER, NOW).refusal("edge", TRUSTED, NOW)).as("unsigned").isEqualTo("not signed by a trusted key");
        Nudge moved = new Nudge(signed.purpose(), signed.fleet(), signed.epoch(), signed.sequence(), NOW.plusSeconds(60),
                signed.keyId(), signed.signature());
        assertThat(moved.refusal("edge", TRUSTED, NOW)).as("a changed time breaks the signature")
                .isEqualTo("not signed by a trusted key");
        Nudge otherPurpose = SigningKeys.sign(new Nudge("pointer", "edge", 5, 17, NOW, null, null), FLEET);
        assertThat(otherPurpose.refusal("edge", TRUSTED, NOW)).isEqualTo("not a nudge");
    }

    @Test
    void aSignedNudgeNeverReadsAsASignedPointer() throws Exception {
        // The same key signs both: the nudge's signed bytes must not verify as any pointer.
        Nudge signed = SigningKeys.sign(Nudge.of(POINTER, NOW), FLEET);
        ReleasePointer asPointer = ReleasePointer.fromJson(signed.toJson());
        assertThat(SigningKeys.verify(asPointer, TRUSTED)).isFalse();
    }
}
