package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.sip.DialogTokens.DialogPeers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DialogTokensTest {
    private final DialogTokens fleet = new DialogTokens("a fleet secret of some length".getBytes(StandardCharsets.UTF_8), false);
    private final DialogTokens otherFleet = new DialogTokens("another fleet's secret".getBytes(StandardCharsets.UTF_8), false);
    private final DialogPeers peers = new DialogPeers("203.0.113.5:5060", "10.0.0.11:5060", "tenant1.example.com");

    @Test
    void aRouteTokenVerifiesOnlyForItsCallIdAndItsFleet() {
        String token = fleet.routeToken("call-1@x", peers);
        assertThat(fleet.verifyRoute("call-1@x", token)).contains(peers);
        assertThat(fleet.verifyRoute("call-2@x", token)).as("lifted into another dialog").isEmpty();
        assertThat(otherFleet.verifyRoute("call-1@x", token)).as("another fleet's key").isEmpty();
        // any edge of the same fleet (same key) accepts it: a dialog can move
        DialogTokens sameFleet = new DialogTokens("a fleet secret of some length".getBytes(StandardCharsets.UTF_8), false);
        assertThat(sameFleet.verifyRoute("call-1@x", token)).contains(peers);
    }

    @Test
    void aTamperedTokenIsRefused() {
        String token = fleet.routeToken("c", peers);
        int dot = token.lastIndexOf('.');
        String forgedPeers = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("203.0.113.5:5060|198.51.100.66:5060|tenant1.example.com".getBytes(StandardCharsets.UTF_8));
        assertThat(fleet.verifyRoute("c", forgedPeers + token.substring(dot))).isEmpty();
        assertThat(fleet.verifyRoute("c", token.substring(0, dot))).isEmpty();
        assertThat(fleet.verifyRoute("c", "garbage")).isEmpty();
        assertThat(fleet.verifyRoute("c", "!!.!!")).isEmpty();
    }

    @Test
    void onlyTheDialogsTwoPeersAreTargets() {
        assertThat(peers.isPeer("10.0.0.11:5060")).isTrue();
        assertThat(peers.isPeer("203.0.113.5:5060")).isTrue();
        assertThat(peers.isPeer("10.0.0.11:5080")).isFalse();
        assertThat(peers.isPeer("198.51.100.66:5060")).isFalse();
    }

    @Test
    void aBranchIsOursOnlyForTheAddressItWasBoundTo() {
        String branch = fleet.branch('r', "203.0.113.5:5060");
        assertThat(branch).startsWith("z9hG4bKr");
        assertThat(fleet.isOurBranch(branch, "203.0.113.5:5060")).isTrue();
        assertThat(fleet.isOurBranch(branch, "198.51.100.66:5060")).as("a forged next Via").isFalse();
        assertThat(otherFleet.isOurBranch(branch, "203.0.113.5:5060")).isFalse();
        assertThat(fleet.isOurBranch("z9hG4bK-caller-made-this", "203.0.113.5:5060")).isFalse();
        char last = branch.charAt(branch.length() - 1);
        String flipped = branch.substring(0, branch.length() - 1) + (last == '0' ? '1' : '0');
        assertThat(fleet.isOurBranch(flipped, "203.0.113.5:5060")).as("one bit of the MAC changed").isFalse();
        assertThat(DialogTokens.kindOf(branch)).isEqualTo('r');
    }

    @Test
    void derivedBranchesRepeatForTheSameInputAndDifferOtherwise() {
        assertThat(fleet.derivedBranch('s', "b1|sip:x", "1.2.3.4:5")).isEqualTo(fleet.derivedBranch('s', "b1|sip:x", "1.2.3.4:5"));
        assertThat(fleet.derivedBranch('s', "b1|sip:x", "1.2.3.4:5")).isNotEqualTo(fleet.derivedBranch('s', "b2|sip:x", "1.2.3.4:5"));
    }

    @Test
    void theKeyFileMustHoldEnoughSecretAndRandomKeysAreMarkedAsSuch(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, "short\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DialogTokens.fromFile(key))
                .hasMessageContaining("at least 16 bytes");
        Files.writeString(key, "  a fleet secret of some length\n");
        String token = DialogTokens.fromFile(key).routeToken("c", peers);
        assertThat(fleet.verifyRoute("c", token)).as("whitespace around the secret is ignored").contains(peers);
        assertThat(DialogTokens.random().isEphemeral()).isTrue();
    }
}
