package io.pbx3sbc.edge.dispatch;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DestinationStatsTest {
    private static final String A = "sip:10.0.0.1:5060";
    private static final String B = "sip:10.0.0.2:5060";

    @Test
    void countsDialogsFromTheir2xxToTheirBye() {
        DestinationStats s = new DestinationStats();
        s.dialogOpened("c1", A, 0);
        s.dialogOpened("c2", A, 0);
        s.dialogOpened("c3", B, 0);
        s.dialogOpened("c1", A, 5); // a retransmitted 2xx is the same dialog
        assertThat(s.dialogs(A)).isEqualTo(2);
        assertThat(s.dialogs(B)).isEqualTo(1);
        s.dialogClosed("c1");
        s.dialogClosed("c1"); // a retransmitted BYE
        s.dialogClosed("unknown");
        assertThat(s.dialogs(A)).isEqualTo(1);
        s.dialogClosed("c2");
        assertThat(s.dialogs(A)).isZero();
    }

    @Test
    void forgetsDialogsPastTheirMaximumAge() {
        DestinationStats s = new DestinationStats(1000, 10);
        s.dialogOpened("old", A, 0);
        s.dialogOpened("new", A, 900);
        assertThat(s.expire(1500)).isEqualTo(1);
        assertThat(s.dialogs(A)).isEqualTo(1);
    }

    @Test
    void tracksNoMoreThanItsCapacity() {
        DestinationStats s = new DestinationStats(1000, 2);
        s.dialogOpened("1", A, 0);
        s.dialogOpened("2", A, 0);
        s.dialogOpened("3", A, 0);
        assertThat(s.dialogs(A)).isEqualTo(2);
        assertThat(s.untrackedDialogs()).isEqualTo(1);
    }

    @Test
    void keepsDialogsOfARemovedDestinationUntilTheirBye() {
        DestinationStats s = new DestinationStats();
        s.relayed(A);
        s.failedOver(A);
        s.dialogOpened("c", A, 0);
        s.retainOnly(Set.of(B));
        assertThat(s.requests(A)).isZero();
        assertThat(s.dialogs(A)).isEqualTo(1);
        s.dialogClosed("c");
        assertThat(s.dialogs(A)).isZero();
    }
}
