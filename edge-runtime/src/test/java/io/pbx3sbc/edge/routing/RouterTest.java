package io.pbx3sbc.edge.routing;

import io.pbx3sbc.edge.routing.RouteDecision.Cancel;
import io.pbx3sbc.edge.routing.RouteDecision.Drop;
import io.pbx3sbc.edge.routing.RouteDecision.DropReason;
import io.pbx3sbc.edge.routing.RouteDecision.Forward;
import io.pbx3sbc.edge.routing.RouteDecision.ForwardInDialog;
import io.pbx3sbc.edge.routing.RouteDecision.Reply;
import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.ContentHash;
import io.pbx3sbc.routingdb.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {
    static RoutingTable table() {
        var model = Fixtures.twoTenants();
        return RoutingTable.from(new RoutingDb(Optional.of(Fixtures.version(1)), 1, null, ContentHash.of(model), model));
    }

    private final RoutingTable table = table();
    private final Router router = new Router(ProtectionPolicy.DEFAULT, new DestinationSelector(), new RateLimiter());

    static RequestView invite(String ruriHost, String toHost) {
        return new RequestView("INVITE", 70, ruriHost, toHost, false, "Yealink SIP-T46U", "call-1", false, false, false, null);
    }

    private RouteDecision route(RequestView r) {
        return router.route(r, table, HealthView.ALL_UP, Set.of(), false);
    }

    @Test
    void forwardsKnownTenantToItsHighestPriorityBackend() {
        assertThat(route(invite("tenant1.example.com", "tenant1.example.com")))
                .isInstanceOfSatisfying(Forward.class, f -> assertThat(f.backend().uri()).isEqualTo("sip:127.0.0.11:5060"));
    }

    @Test
    void failsOverToTheNextBackendWhenTheFirstIsDownOrTried() {
        HealthView firstDown = uri -> !uri.equals("sip:127.0.0.11:5060");
        var r = invite("tenant1.example.com", "tenant1.example.com");

        assertThat(router.route(r, table, firstDown, Set.of(), false)).isInstanceOfSatisfying(Forward.class,
                f -> assertThat(f.backend().uri()).isEqualTo("sip:127.0.0.12:5060"));
        assertThat(router.route(r, table, HealthView.ALL_UP, Set.of("sip:127.0.0.11:5060"), false))
                .isInstanceOfSatisfying(Forward.class, f -> assertThat(f.backend().uri()).isEqualTo("sip:127.0.0.12:5060"));
    }

    @Test
    void repliesServiceUnavailableWhenNoBackendIsHealthy() {
        assertThat(router.route(invite("tenant2.example.com", "tenant2.example.com"), table, uri -> false, Set.of(), false))
                .isEqualTo(new Reply(503, "Service Unavailable", 0, DropReason.NO_HEALTHY_BACKEND));
    }

    @Test
    void dropsUnknownDisabledAndMismatchedDomainsSilently() {
        assertThat(route(invite("nope.example.com", "nope.example.com"))).isEqualTo(new Drop(DropReason.UNKNOWN_DOMAIN));
        assertThat(route(invite("old.example.com", "old.example.com"))).isEqualTo(new Drop(DropReason.DISABLED_DOMAIN));
        assertThat(route(invite("tenant1.example.com", "tenant2.example.com"))).isEqualTo(new Drop(DropReason.DOMAIN_MISMATCH));
    }

    @ParameterizedTest
    @ValueSource(strings = {"friendly-scanner", "SIPVicious/0.3.4", "sipcli/v1.8", "Nmap NSE"})
    void dropsScannersWhateverTheirCase(String ua) {
        var r = new RequestView("INVITE", 70, "tenant1.example.com", "tenant1.example.com", false, ua, "c", false, false, false, null);
        assertThat(route(r)).isEqualTo(new Drop(DropReason.SCANNER));
    }

    @Test
    void answersTooManyHopsBeforeAnythingElse() {
        var r = new RequestView("INVITE", 0, "x", "y", false, "friendly-scanner", "c", false, false, false, null);
        assertThat(route(r)).isInstanceOfSatisfying(Reply.class, rep -> assertThat(rep.status()).isEqualTo(483));
    }

    @Test
    void routesInDialogOnlyAlongOurOwnRecordRoute() {
        var ours = new RequestView("BYE", 70, "127.0.0.11", "tenant1.example.com", true, "ua", "c", true, true, false, "tenant1.example.com");
        var unsigned = new RequestView("BYE", 70, "127.0.0.11", "tenant1.example.com", true, "ua", "c", true, true, false, null);
        var unsignedAck = new RequestView("ACK", 70, "127.0.0.11", "tenant1.example.com", true, "ua", "c", true, true, false, null);
        var foreign = new RequestView("BYE", 70, "198.51.100.7", "tenant1.example.com", true, "ua", "c", true, false, false, null);
        var foreignAck = new RequestView("ACK", 70, "198.51.100.7", "tenant1.example.com", true, "ua", "c", true, false, false, null);

        assertThat(route(ours)).isInstanceOf(ForwardInDialog.class);
        assertThat(route(foreign)).isInstanceOfSatisfying(Reply.class, rep -> assertThat(rep.status()).isEqualTo(404));
        assertThat(route(foreignAck)).isEqualTo(new Drop(DropReason.FOREIGN_ROUTE));
        assertThat(route(unsigned)).isEqualTo(new Reply(404, "Not Here", 0, DropReason.UNSIGNED_ROUTE));
        assertThat(route(unsignedAck)).isEqualTo(new Drop(DropReason.UNSIGNED_ROUTE));
    }

    @Test
    void inDialogRequestsMeetTheMethodListAndTheTenantsRateLimitButEndingACallAlwaysWorks() {
        var message = new RequestView("MESSAGE", 70, "127.0.0.11", "tenant1.example.com", true, "ua", "c", true, true, false,
                "tenant1.example.com");
        assertThat(route(message)).isInstanceOfSatisfying(Reply.class, rep -> assertThat(rep.status()).isEqualTo(405));

        Router strict = new Router(ProtectionPolicy.DEFAULT, new DestinationSelector(), new RateLimiter(() -> 0L));
        var reinvite = new RequestView("INVITE", 70, "127.0.0.11", "tenant1.example.com", true, "ua", "c", true, true, false,
                "tenant1.example.com");
        var bye = new RequestView("BYE", 70, "127.0.0.11", "tenant1.example.com", true, "ua", "c", true, true, false,
                "tenant1.example.com");
        for (int i = 0; i < 200; i++) { // tenant1: burst 200
            assertThat(strict.route(reinvite, table, HealthView.ALL_UP, Set.of(), false)).isInstanceOf(ForwardInDialog.class);
        }
        assertThat(strict.route(reinvite, table, HealthView.ALL_UP, Set.of(), false))
                .isEqualTo(new Reply(503, "Service Unavailable", 1, DropReason.RATE_LIMITED));
        assertThat(strict.route(bye, table, HealthView.ALL_UP, Set.of(), false)).isInstanceOf(ForwardInDialog.class);
    }

    @Test
    void initialRequestWithForeignRouteStillGoesOnlyToTheTenantsBackend() {
        var r = new RequestView("INVITE", 70, "tenant2.example.com", "tenant2.example.com", false, "ua", "c", true, false, false, null);
        assertThat(route(r)).isInstanceOfSatisfying(Forward.class, f -> {
            assertThat(f.backend().uri()).isEqualTo("sip:127.0.0.21:5060;transport=tcp");
            assertThat(table.isDestination(f.backend().address().host(), f.backend().address().port())).isTrue();
        });
    }

    @Test
    void refusesMethodsOutsideTheAllowedSet() {
        var r = new RequestView("MESSAGE", 70, "tenant1.example.com", "tenant1.example.com", false, "ua", "c", false, false, false, null);
        assertThat(route(r)).isInstanceOfSatisfying(Reply.class, rep -> assertThat(rep.status()).isEqualTo(405));
    }

    @Test
    void answersKeepaliveOptionsToTheEdgeAndDrainsWith503() {
        var r = new RequestView("OPTIONS", 70, "192.0.2.1", "192.0.2.1", false, "lb", "c", false, false, true, null);
        assertThat(route(r)).isInstanceOfSatisfying(Reply.class, rep -> assertThat(rep.status()).isEqualTo(200));
        assertThat(router.route(r, table, HealthView.ALL_UP, Set.of(), true))
                .isInstanceOfSatisfying(Reply.class, rep -> assertThat(rep.status()).isEqualTo(503));
    }

    @Test
    void rateLimitsATenantWith503AndRetryAfter() {
        long[] now = {0};
        Router limited = new Router(ProtectionPolicy.DEFAULT, new DestinationSelector(), new RateLimiter(() -> now[0]));
        var r = invite("tenant1.example.com", "tenant1.example.com"); // 100/s, burst 200
        for (int i = 0; i < 200; i++) {
            assertThat(limited.route(r, table, HealthView.ALL_UP, Set.of(), false)).isInstanceOf(Forward.class);
        }
        assertThat(limited.route(r, table, HealthView.ALL_UP, Set.of(), false))
                .isEqualTo(new Reply(503, "Service Unavailable", 1, DropReason.RATE_LIMITED));
        now[0] += 10_000_000L; // 10 ms refills one token at 100/s
        assertThat(limited.route(r, table, HealthView.ALL_UP, Set.of(), false)).isInstanceOf(Forward.class);
        // The tenant without a limit is not affected.
        assertThat(limited.route(invite("tenant2.example.com", "tenant2.example.com"), table, HealthView.ALL_UP, Set.of(), false))
                .isInstanceOf(Forward.class);
    }

    @Test
    void aCancelForAKnownTenantCancelsTheMatchingTransactionEvenWhileDraining() {
        var cancel = new RequestView("CANCEL", 70, "tenant1.example.com", "tenant1.example.com", false, "ua", "c", false, false, false, null);
        assertThat(route(cancel)).isEqualTo(new Cancel());
        assertThat(router.route(cancel, table, HealthView.ALL_UP, Set.of(), true)).isEqualTo(new Cancel());
        var knock = new RequestView("CANCEL", 70, "unknown.example.net", "unknown.example.net", false, "ua", "c", false, false, false, null);
        assertThat(route(knock)).isEqualTo(new Drop(DropReason.UNKNOWN_DOMAIN));
    }

    @Test
    void anAckWithoutToTagBelongsToNothingAndIsDropped() {
        var ack = new RequestView("ACK", 70, "tenant1.example.com", "tenant1.example.com", false, "ua", "c", false, false, false, null);
        assertThat(route(ack)).isEqualTo(new Drop(DropReason.STRAY_ACK));
    }

    @Test
    void cancelsAreNotChargedToTheTenantsRateLimit() {
        RateLimiter limiter = new RateLimiter(() -> 0L);
        Router strict = new Router(ProtectionPolicy.DEFAULT, new DestinationSelector(), limiter);
        var cancel = new RequestView("CANCEL", 70, "tenant1.example.com", "tenant1.example.com", false, "ua", "c", false, false, false, null);
        for (int i = 0; i < 1000; i++) {
            assertThat(strict.route(cancel, table, HealthView.ALL_UP, Set.of(), false)).isEqualTo(new Cancel());
        }
    }
}
