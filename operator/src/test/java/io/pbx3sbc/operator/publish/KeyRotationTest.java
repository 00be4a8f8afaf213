package io.pbx3sbc.operator.publish;

import io.pbx3sbc.operator.publish.KeyRotation.Key;
import io.pbx3sbc.operator.publish.KeyRotation.Phase;
import io.pbx3sbc.routingdb.manifest.EdgeReport;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeyRotationTest {
    static final Key A = new Key("aaaa", "PUB-A", "key-a");
    static final Key B = new Key("bbbb", "PUB-B", "key-b");

    static EdgeReport edge(String id, List<String> trusts, String copySignedBy) {
        return new EdgeReport(id, 7L, null, "active", null, null, Instant.now(), List.of(), 1, 5, null, trusts, copySignedBy, null);
    }

    @Test
    void withoutARotationTheSpecsKeySignsAndIsTheOnlyOneTrusted() {
        KeyRotation.Plan p = KeyRotation.decide(null, A, false, List.of());
        assertThat(p.phase()).isEqualTo(Phase.NONE);
        assertThat(p.signWith()).isEqualTo(A);
        assertThat(p.trusted()).containsExactly(A);
        assertThat(KeyRotation.decide(A, A, true, List.of(edge("e1", List.of("aaaa"), "aaaa"))).resign()).isFalse();
    }

    @Test
    void aRotationWalksThroughItsPhasesAsTheEdgesFollow() {
        // 1. Edges told to trust both; the old key still signs.
        KeyRotation.Plan p = KeyRotation.decide(A, B, true, List.of(edge("e1", List.of("aaaa"), "aaaa"),
                edge("e2", List.of("aaaa", "bbbb"), "aaaa")));
        assertThat(p.phase()).isEqualTo(Phase.TRUSTING_NEW_KEY);
        assertThat(p.signWith()).isEqualTo(A);
        assertThat(p.trusted()).containsExactly(A, B);
        assertThat(p.resign()).isFalse();
        assertThat(p.current()).isEqualTo(A);
        assertThat(p.message()).contains("1 of 2 live edges trust the new key");

        // 2. Every edge trusts both: sign with the new key, re-sign what edges may need.
        p = KeyRotation.decide(A, B, true, List.of(edge("e1", List.of("aaaa", "bbbb"), "aaaa"),
                edge("e2", List.of("aaaa", "bbbb"), "bbbb")));
        assertThat(p.phase()).isEqualTo(Phase.RESIGNING);
        assertThat(p.signWith()).isEqualTo(B);
        assertThat(p.trusted()).containsExactly(A, B);
        assertThat(p.resign()).isTrue();

        // 3. Every last known good copy is signed with the new key: stop trusting the old one.
        p = KeyRotation.decide(A, B, true, List.of(edge("e1", List.of("aaaa", "bbbb"), "bbbb"),
                edge("e2", List.of("bbbb"), "bbbb")));
        assertThat(p.phase()).isEqualTo(Phase.RETIRING_OLD_KEY);
        assertThat(p.trusted()).containsExactly(B);
        assertThat(p.current()).isEqualTo(A);

        // 4. No edge trusts the old key any more: the new one is the fleet's key.
        p = KeyRotation.decide(A, B, true, List.of(edge("e1", List.of("bbbb"), "bbbb"), edge("e2", List.of("bbbb"), "bbbb")));
        assertThat(p.phase()).isEqualTo(Phase.NONE);
        assertThat(p.current()).isEqualTo(B);
        assertThat(p.message()).contains("Rotated the signing key from aaaa to bbbb");
    }

    @Test
    void withNoLiveEdgeTheRotationIsDoneAtOnceAndStillReSigns() {
        KeyRotation.Plan p = KeyRotation.decide(A, B, true, List.of());
        assertThat(p.phase()).isEqualTo(Phase.NONE);
        assertThat(p.current()).isEqualTo(B);
        assertThat(p.resign()).isTrue();
    }

    @Test
    void whenTheOldKeysSecretIsGoneItReSignsWithTheNewKeyAtOnce() {
        KeyRotation.Plan p = KeyRotation.decide(A, B, false, List.of(edge("e1", List.of("aaaa"), "aaaa")));
        assertThat(p.phase()).isEqualTo(Phase.RESIGNING);
        assertThat(p.signWith()).isEqualTo(B);
        assertThat(p.message()).contains("key-a is gone");
    }
}
