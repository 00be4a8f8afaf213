{{- define "pbx3sbc.name" -}}pbx3sbc-operator{{- end -}}

{{- define "pbx3sbc.fullname" -}}
{{- if contains "pbx3sbc-operator" .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else -}}{{ printf "%s-pbx3sbc-operator" .Release.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "pbx3sbc.labels" -}}
app.kubernetes.io/name: {{ include "pbx3sbc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "pbx3sbc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pbx3sbc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* What the operator may do with the resources it serves: the same rules for a ClusterRole or a Role. */}}
{{- define "pbx3sbc.rules" -}}
- apiGroups: ["pbx3sbc.io"]
  resources: ["sipdomains", "dispatchersets", "edgefleets"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["pbx3sbc.io"]
  resources: ["edgefleets"]
  verbs: ["patch", "update"]            # its finalizer only; never the spec
- apiGroups: ["pbx3sbc.io"]
  resources: ["sipdomains/status", "dispatchersets/status", "edgefleets/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["apps"]
  resources: ["deployments", "daemonsets"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
- apiGroups: [""]
  resources: ["services", "serviceaccounts", "configmaps"]
  verbs: ["get", "create", "update"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "create", "update"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "create", "update"]   # SIP from anywhere, the edges' admin port from the operator and monitoring only
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create"]              # read S3 credentials and signing keys; create a key on first use
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}


{{/* Edge image prefixes EdgeFleets may name: the default edge image's repository and the allowed ones. */}}
{{- define "pbx3sbc.edgeImagePrefixes" -}}
{{- $prefixes := list (printf "%s:" .Values.edgeImage.repository) -}}
{{- range .Values.edgeImages.allowed }}{{- $prefixes = append $prefixes . -}}{{- end -}}
{{- $prefixes | uniq | toJson -}}
{{- end -}}
