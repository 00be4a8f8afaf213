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

    /**
     * A conditional PUT: written only while the object's ETag is still {@code ifMatch} (or, with null,
     * while it does not exist). Fences a writer that acts on a stale read, where the server supports
     * conditional writes (AWS S3 does); a server that ignores the condition writes unconditionally.
     *
     * @return the new ETag, when the server says
     * @throws PreconditionFailed when someone else wrote the object in between
     */
    String putIfMatch(String key, byte[] bytes, String contentType, String ifMatch) throws ObjectStoreException;

    /** The object changed since it was read: the write was refused (HTTP 412). */
    final class PreconditionFailed extends ObjectStoreException {
        public PreconditionFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Empty when the key does not exist. */
    Optional<byte[]> get(String key) throws ObjectStoreException;

    /**
     * Conditional GET: {@link Fetched#notModified()} when the object's ETag still equals {@code etag};
     * empty when the key does not exist.
     */
    Optional<Fetched> getIfChanged(String key, String etag) throws ObjectStoreException;

    /** Keys under a prefix, in lexical order. */
    List<String> list(String prefix) throws ObjectStoreException;

    /**
     * Keys under a prefix with their ETags, in lexical order: one listing tells which objects changed
     * since they were last read, so only those need a GET.
     */
    java.util.SortedMap<String, String> listWithEtags(String prefix) throws ObjectStoreException;

    void delete(String key) throws ObjectStoreException;

    /** An object's bytes and ETag; {@code bytes} is null when not modified. */
    record Fetched(byte[] bytes, String etag) {
        public boolean notModified() {
            return bytes == null;
        }
    }
}
