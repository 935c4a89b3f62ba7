{{/* Names and labels shared by the templates. */}}

{{/* The chart's name, or nameOverride. */}}
{{- define "asia-beacon.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Objects are named after the release; the chart name is added unless the release
     name already holds it (release "asia-beacon" -> "asia-beacon", "th" -> "th-asia-beacon"). */}}
{{- define "asia-beacon.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "asia-beacon.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* What selects this release's pods: stable across upgrades. */}}
{{- define "asia-beacon.selectorLabels" -}}
app.kubernetes.io/name: {{ include "asia-beacon.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "asia-beacon.labels" -}}
{{ include "asia-beacon.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The Secret holding the MongoDB URI: the operator's own, or the one the chart makes. */}}
{{- define "asia-beacon.secretName" -}}
{{- .Values.mongo.existingSecret | default (include "asia-beacon.fullname" .) -}}
{{- end -}}
