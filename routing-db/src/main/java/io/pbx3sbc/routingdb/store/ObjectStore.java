package io.pbx3sbc.routingdb.store;

import java.util.List;
import java.util.Optional;

/**
 * The few object-store operations routing versions need. Implemented over S3 ({@link S3ObjectStore});
 * tests may use an in-memory map. Every failure is an {@link ObjectStoreException} with a message a
 * human can act on.
 */
public interface ObjectStore {

    void put(String key, byte[] bytes, String contentType) throws ObjectStoreException;

    /** Empty when the key does not exist. */
    Optional<byte[]> get(String key) throws ObjectStoreException;

    /**
     * Conditional GET: {@link Fetched#notModified()} when the object's ETag still equals {@code etag};
     * empty when the key does not exist.
     */
    Optional<Fetched> getIfChanged(String key, String etag) throws ObjectStoreException;

    /** Keys under a prefix, in lexical order. */
    List<String> list(String prefix) throws ObjectStoreException;

    void delete(String key) throws ObjectStoreException;

    /** An object's bytes and ETag; {@code bytes} is null when not modified. */
    record Fetched(byte[] bytes, String etag) {
        public boolean notModified() {
            return bytes == null;
        }
    }
}
