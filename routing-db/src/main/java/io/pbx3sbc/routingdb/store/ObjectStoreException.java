package io.pbx3sbc.routingdb.store;

import java.io.IOException;

/** An object store could not be used; the message says which store and why, without a stack trace. */
public class ObjectStoreException extends IOException {
    public ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public ObjectStoreException(String message) {
        super(message);
    }
}
