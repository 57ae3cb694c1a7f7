{{/* The release's object names: "pmtud" for a release called pmtud, else "<release>-pmtud". */}}
{{- define "pmtud.fullname" -}}
{{- if contains "pmtud" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-pmtud" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pmtud.selectorLabels" -}}
app.kubernetes.io/name: pmtud
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "pmtud.labels" -}}
{{ include "pmtud.selectorLabels" . }}
app.kubernetes.io/part-of: pmtud
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/*
A value that go-pmtud's chart gives as a comma-separated string ("a, b") and pmtud's as a YAML
list, as a JSON list of trimmed, non-empty strings: include "pmtud.list" X | fromJsonArray.
*/}}
{{- define "pmtud.list" -}}
{{- $out := list -}}
{{- $items := list -}}
{{- if kindIs "slice" . -}}
{{- $items = . -}}
{{- else if . -}}
{{- $items = splitList "," (toString .) -}}
{{- end -}}
{{- range $items -}}
{{- $v := trim (toString .) -}}
{{- if $v -}}
{{- $out = append $out $v -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* The interface: pmtud.interface, else the first of pmtud.ifaceNames, else "" (pmtud finds it). */}}
{{- define "pmtud.interface" -}}
{{- $names := include "pmtud.list" .Values.pmtud.ifaceNames | fromJsonArray -}}
{{- if .Values.pmtud.interface -}}
{{- .Values.pmtud.interface -}}
{{- else if $names -}}
{{- first $names -}}
{{- end -}}
{{- end -}}

{{- define "pmtud.relay" -}}
{{- if eq (toString .Values.pmtud.relayBackend) "udp" -}}true{{- end -}}
{{- end -}}

{{- define "pmtud.secretName" -}}
{{- .Values.pmtud.existingSecret | default (printf "%s-relay-key" (include "pmtud.fullname" .)) -}}
{{- end -}}
