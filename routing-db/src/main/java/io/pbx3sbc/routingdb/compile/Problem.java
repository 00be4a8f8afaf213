package io.pbx3sbc.routingdb.compile;

/**
 * Why one object was left out of the database.
 *
 * @param field the spec field at fault, e.g. {@code spec.destinations[1].uri}; empty when the whole object is
 */
public record Problem(ObjectRef ref, String field, Reason reason, String message) {

    /** Status reasons, CamelCase, one place for the operator's conditions and the CLI's output. */
    public enum Reason {
        InvalidSpec,
        DispatcherSetNotFound,
        DispatcherSetInvalid,
        DomainConflict,
        SetIdConflict
    }

    @Override
    public String toString() {
        return ref + (field.isEmpty() ? "" : " " + field) + ": " + reason + ": " + message;
    }
}
