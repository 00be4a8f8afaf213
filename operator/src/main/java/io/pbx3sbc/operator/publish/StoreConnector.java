package io.pbx3sbc.operator.publish;

import io.pbx3sbc.routingdb.store.ObjectStore;
import io.pbx3sbc.routingdb.store.S3Location;
import io.pbx3sbc.routingdb.store.S3ObjectStore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One S3 client per fleet, rebuilt when its location or credentials change. */
public final class StoreConnector implements AutoCloseable {
    private record Entry(S3Location location, S3ObjectStore store) {
    }

    private final Map<String, Entry> stores = new ConcurrentHashMap<>();

    public ObjectStore storeFor(String fleetKey, S3Location location) {
        Entry e = stores.compute(fleetKey, (k, old) -> {
            if (old != null && old.location.equals(location)) {
                return old;
            }
            if (old != null) {
                old.store.close();
            }
            return new Entry(location, new S3ObjectStore(location));
        });
        return e.store;
    }

    public void forget(String fleetKey) {
        Entry e = stores.remove(fleetKey);
        if (e != null) {
            e.store.close();
        }
    }

    @Override
    public void close() {
        stores.keySet().forEach(this::forget);
    }
}
