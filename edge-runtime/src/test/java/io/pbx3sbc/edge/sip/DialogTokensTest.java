package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.sip.DialogTokens.DialogPeers;
import io.pbx3sbc.edge.sip.DialogTokens.Flow;
import io.pbx3sbc.edge.sip.DialogTokens.Hop;
import io.pbx3sbc.edge.sip.transport.Peer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DialogTokensTest {
    private final DialogTokens fleet = new DialogTokens("a fleet secret of some length".getBytes(StandardCharsets.UTF_8), false);
    private final DialogTokens otherFleet = new DialogTokens("another fleet's secret".getBytes(StandardCharsets.UTF_8), false);
    private final Hop phone = new Hop(Peer.Transport.TLS, true, "203.0.113.5", 40123);
    private final Hop pbx = new Hop(Peer.Transport.UDP, false, "10.0.0.11", 5060);
    private final DialogPeers peers = new DialogPeers("f1", phone, pbx, "tenant1.example.com");

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
                .encodeToString("f1|Sf/203.0.113.5/40123|U-/198.51.100.66/5060|tenant1.example.com".getBytes(StandardCharsets.UTF_8));
        assertThat(fleet.verifyRoute("c", forgedPeers + token.substring(dot))).isEmpty();
        assertThat(fleet.verifyRoute("c", token.substring(0, dot))).isEmpty();
        assertThat(fleet.verifyRoute("c", "garbage")).isEmpty();
        assertThat(fleet.verifyRoute("c", "!!.!!")).isEmpty();
    }

    @Test
    void anInDialogRequestGoesToTheOtherSideToldByItsTagsAndNowhereElse() {
        assertThat(peers.towards("f1", "b7")).as("from the caller").isEqualTo(pbx);
        assertThat(peers.towards("b7", "f1")).as("from the callee").isEqualTo(phone);
        assertThat(peers.towards("x", "y")).as("neither side's tag").isNull();
        assertThat(phone.peer()).isEqualTo(new Peer(Peer.Transport.TLS, new java.net.InetSocketAddress("203.0.113.5", 40123)));
    }

    @Test
    void aFlowTokenNamesThePhonesFlowAndVerifiesOnlyInItsFleet() {
        Flow flow = new Flow(new Hop(Peer.Transport.TCP, true, "2001:db8::7", 50000), "tenant1.example.com");
        String user = fleet.flowToken(flow);
        assertThat(DialogTokens.looksLikeFlowToken(user)).isTrue();
        assertThat(user).matches("[A-Za-z0-9._-]+"); // a URI user part as it is, no escaping
        assertThat(fleet.verifyFlow(user)).contains(flow);
        assertThat(otherFleet.verifyFlow(user)).isEmpty();
        String forged = "F." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "U-/198.51.100.66/5060|tenant1.example.com".getBytes(StandardCharsets.UTF_8)) + user.substring(user.lastIndexOf('.'));
        assertThat(fleet.verifyFlow(forged)).as("another target under the same MAC").isEmpty();
        assertThat(fleet.verifyFlow("F.garbage")).isEmpty();
        assertThat(fleet.verifyFlow("alice")).isEmpty();
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

    /**
     * The three steps of docs/operations.md, with two edges reading the same Secret volume at different
     * moments: nothing signed with either key stops verifying on either edge while both keys are live.
     */
    @Test
    void aKeyRotationKeepsDialogsAndRegistrationsOfBothKeys(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path key = dir.resolve("dialog.key");
        Files.writeString(key, "the old fleet secret, 32 bytes!");
        DialogTokens early = DialogTokens.fromFile(key);
        DialogTokens late = DialogTokens.fromFile(key);
        String oldRoute = early.routeToken("call-old", peers);
        Flow flow = new Flow(phone, "tenant1.example.com");
        String oldFlow = early.flowToken(flow);
        String oldBranch = early.branch('r', "203.0.113.5:5060");
        assertThat(early.keyIds()).hasSize(1);

        // 1. the new key is added as dialog.key.next: accepted by the edges that have read it, used by none
        Files.writeString(dir.resolve("dialog.key.next"), "the new fleet secret, 32 bytes!!");
        assertThat(early.reload()).isTrue();
        assertThat(early.keyIds()).hasSize(2);
        assertThat(early.reload()).as("unchanged files").isFalse();

        // 2. it becomes dialog.key, the old one dialog.key.previous; one edge reads it before the other
        Files.writeString(key, "the new fleet secret, 32 bytes!!");
        Files.writeString(dir.resolve("dialog.key.previous"), "the old fleet secret, 32 bytes!");
        Files.delete(dir.resolve("dialog.key.next"));
        assertThat(early.reload()).isTrue();
        String newRoute = early.routeToken("call-new", peers);
        assertThat(late.verifyRoute("call-new", newRoute)).as("an edge that has not read step 2 yet").isEmpty();
        late.reload();
        for (DialogTokens edge : new DialogTokens[] {early, late}) {
            assertThat(edge.verifyRoute("call-old", oldRoute)).as("a dialog set up before").contains(peers);
            assertThat(edge.verifyRoute("call-new", newRoute)).contains(peers);
            assertThat(edge.verifyFlow(oldFlow)).as("a registration made before").contains(flow);
            assertThat(edge.isOurBranch(oldBranch, "203.0.113.5:5060")).isTrue();
        }
        assertThat(early.keyIds().get(0)).as("the new key signs").isEqualTo(DialogTokens.keyId("the new fleet secret, 32 bytes!!".getBytes()));

        // 3. the old key is removed: what it signed is refused from now on
        Files.delete(dir.resolve("dialog.key.previous"));
        assertThat(early.reload()).isTrue();
        assertThat(early.verifyRoute("call-old", oldRoute)).isEmpty();
        assertThat(early.verifyFlow(oldFlow)).isEmpty();
        assertThat(early.verifyRoute("call-new", newRoute)).contains(peers);

        // a key file that does not load is refused; the keys in use stay
        Files.writeString(dir.resolve("dialog.key.next"), "short");
        assertThat(early.reload()).isFalse();
        assertThat(early.verifyRoute("call-new", newRoute)).contains(peers);
    }
}
