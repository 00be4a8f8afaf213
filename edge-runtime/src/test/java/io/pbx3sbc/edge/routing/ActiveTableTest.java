package io.pbx3sbc.edge.routing;

import io.pbx3sbc.routingdb.ContentHash;
import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class ActiveTableTest {
    private static RoutingTable table(long version, io.pbx3sbc.routingdb.model.RoutingModel model) {
        return RoutingTable.from(new RoutingDb(Optional.of(Fixtures.version(version)), 1, null, ContentHash.of(model), model));
    }

    @Test
    void swapsAndKeepsThePreviousForRollback() {
        ActiveTable active = new ActiveTable();
        RoutingTable v1 = table(1, Fixtures.twoTenants());
        RoutingTable v2 = table(2, Fixtures.large(10, 2, 1));

        assertThat(active.current()).isNull();
        assertThat(active.activate(v1)).isTrue();
        assertThat(active.activate(v2)).isTrue();
        assertThat(active.current()).isSameAs(v2);
        assertThat(active.previous()).containsSame(v1);
    }

    @Test
    void activatingTheSameVersionAndContentIsANoOp() {
        ActiveTable active = new ActiveTable();
        active.activate(table(1, Fixtures.twoTenants()));

        assertThat(active.activate(table(1, Fixtures.twoTenants()))).isFalse();
        assertThat(active.previous()).isEmpty();
    }

    @Test
    void concurrentReadersAlwaysSeeAWholeTable() throws Exception {
        ActiveTable active = new ActiveTable();
        RoutingTable a = table(1, Fixtures.twoTenants());
        RoutingTable b = table(2, Fixtures.large(1000, 10, 2));
        active.activate(a);
        AtomicBoolean torn = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(2);
        Runnable reader = () -> {
            for (int i = 0; i < 200_000; i++) {
                RoutingTable t = active.current();
                boolean consistent = t.version() == 1 ? t.tenant("tenant1.example.com") != null
                        : t.tenant("tenant1.voip.example.com") != null;
                if (!consistent) {
                    torn.set(true);
                }
            }
            done.countDown();
        };
        new Thread(reader).start();
        new Thread(reader).start();
        for (int i = 0; i < 2_000; i++) {
            active.activate(i % 2 == 0 ? b : a);
        }
        done.await();
        assertThat(torn).isFalse();
    }
}
