package io.pbx3sbc.operator.api.v1alpha1;

public class DispatcherSetStatus extends SourceStatus {
}
