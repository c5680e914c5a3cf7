{{/* The release's full name: the release name, or <release>-<chart> when it lacks the chart's name. */}}
{{- define "article-enricher.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "article-enricher.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object: the kustomize base's two, plus Helm's release labels. */}}
{{- define "article-enricher.labels" -}}
app.kubernetes.io/name: {{ include "article-enricher.name" . }}
app.kubernetes.io/part-of: article-enricher
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* What selects the worker pods. The instance keeps two releases in one namespace apart. */}}
{{- define "article-enricher.selectorLabels" -}}
app.kubernetes.io/component: worker
app.kubernetes.io/name: {{ include "article-enricher.name" . }}
app.kubernetes.io/part-of: article-enricher
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "article-enricher.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "article-enricher.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* librdkafka's security.protocol from the sasl and tls toggles; empty for plaintext. */}}
{{- define "article-enricher.securityProtocol" -}}
{{- if and .Values.sasl.enabled .Values.tls.enabled -}}SASL_SSL
{{- else if .Values.sasl.enabled -}}SASL_PLAINTEXT
{{- else if .Values.tls.enabled -}}SSL
{{- end -}}
{{- end -}}

{{/* The worker's environment (the ConfigMap's data) as YAML. */}}
{{- define "article-enricher.configData" -}}
{{- $v := .Values -}}
{{- $c := dict
  "ENRICHER_BROKERS" $v.kafka.brokers
  "ENRICHER_INPUT_TOPIC" $v.kafka.inputTopic
  "ENRICHER_OUTPUT_TOPIC" $v.kafka.outputTopic
  "ENRICHER_GROUP_ID" $v.kafka.groupId
  "ENRICHER_DELIVERY" $v.kafka.delivery
  "ENRICHER_METRICS_ADDR" (printf "0.0.0.0:%v" $v.settings.metricsPort)
  "ENRICHER_LOG_FORMAT" $v.settings.logFormat
  "ENRICHER_SHUTDOWN_TIMEOUT" $v.settings.shutdownTimeout -}}
{{- $optional := dict
  "ENRICHER_DLQ_TOPIC" $v.kafka.dlqTopic
  "ENRICHER_TRANSACTIONAL_ID" $v.kafka.transactionalId
  "ENRICHER_LOG" $v.settings.log
  "ENRICHER_MAX_IN_FLIGHT" $v.settings.maxInFlight
  "ENRICHER_MAX_ARTICLE_BYTES" $v.settings.maxArticleBytes -}}
{{- range $name, $value := $optional -}}
{{- if $value -}}{{- $_ := set $c $name (toString $value) -}}{{- end -}}
{{- end -}}
{{- range $key, $value := $v.kafka.properties -}}
{{- if contains "_" $key -}}
{{- fail (printf "kafka.properties: %q contains '_' and cannot become an ENRICHER_KAFKA_ variable; pass it in extraArgs as \"-X\", \"%s=...\"" $key $key) -}}
{{- end -}}
{{- $_ := set $c (printf "ENRICHER_KAFKA_%s" ($key | replace "." "_" | upper)) (toString $value) -}}
{{- end -}}
{{- with include "article-enricher.securityProtocol" . -}}
{{- $_ := set $c "ENRICHER_KAFKA_SECURITY_PROTOCOL" . -}}
{{- end -}}
{{- if $v.sasl.enabled -}}
{{- $_ := set $c "ENRICHER_KAFKA_SASL_MECHANISM" $v.sasl.mechanism -}}
{{- end -}}
{{- if and $v.tls.enabled $v.tls.existingSecret -}}
{{- $_ := set $c "ENRICHER_KAFKA_SSL_CA_LOCATION" (printf "%s/%s" $v.tls.mountPath $v.tls.caKey) -}}
{{- if $v.tls.clientCertificate -}}
{{- $_ := set $c "ENRICHER_KAFKA_SSL_CERTIFICATE_LOCATION" (printf "%s/%s" $v.tls.mountPath $v.tls.certKey) -}}
{{- $_ := set $c "ENRICHER_KAFKA_SSL_KEY_LOCATION" (printf "%s/%s" $v.tls.mountPath $v.tls.keyKey) -}}
{{- end -}}
{{- end -}}
{{- range $name, $value := $v.extraConfig -}}
{{- $_ := set $c $name (toString $value) -}}
{{- end -}}
{{- toYaml $c -}}
{{- end -}}

{{/*
The ConfigMap's name ends in a hash of its data, as kustomize's configMapGenerator does: a changed
setting is a new ConfigMap, so the pods roll onto it.
*/}}
{{- define "article-enricher.configName" -}}
{{- printf "%s-config-%s" (include "article-enricher.fullname" .) (include "article-enricher.configData" . | sha256sum | trunc 10) -}}
{{- end -}}

{{/* The replica cap: the partition count, or a smaller maxReplicas. */}}
{{- define "article-enricher.maxReplicas" -}}
{{- $a := .Values.autoscaling -}}
{{- $max := int (default $a.partitions $a.maxReplicas) -}}
{{- if gt $max (int $a.partitions) -}}
{{- fail (printf "autoscaling.maxReplicas %d exceeds autoscaling.partitions %d: a consumer group gives each partition to one member, extra replicas would sit idle" $max (int $a.partitions)) -}}
{{- end -}}
{{- if lt $max (int $a.minReplicas) -}}
{{- fail (printf "autoscaling.minReplicas %d exceeds maxReplicas %d" (int $a.minReplicas) $max) -}}
{{- end -}}
{{- $max -}}
{{- end -}}

{{/* Settings that would deploy a broken worker fail the render with a reason. */}}
{{- define "article-enricher.validate" -}}
{{- $v := .Values -}}
{{- if not (has $v.kafka.delivery (list "at-least-once" "exactly-once")) -}}
{{- fail (printf "kafka.delivery must be at-least-once or exactly-once, not %q" $v.kafka.delivery) -}}
{{- end -}}
{{- if and (not $v.autoscaling.enabled) (gt (int $v.replicaCount) (int $v.autoscaling.partitions)) -}}
{{- fail (printf "replicaCount %d exceeds autoscaling.partitions %d: extra replicas would sit idle" (int $v.replicaCount) (int $v.autoscaling.partitions)) -}}
{{- end -}}
{{- $drain := toString $v.settings.shutdownTimeout -}}
{{- $seconds := 0 -}}
{{- if regexMatch "^[0-9]+s$" $drain -}}{{- $seconds = int (trimSuffix "s" $drain) -}}
{{- else if regexMatch "^[0-9]+m$" $drain -}}{{- $seconds = mul 60 (int (trimSuffix "m" $drain)) -}}
{{- end -}}
{{- if le (int $v.terminationGracePeriodSeconds) $seconds -}}
{{- fail (printf "terminationGracePeriodSeconds %d must exceed settings.shutdownTimeout %s, or the drain is cut short" (int $v.terminationGracePeriodSeconds) $drain) -}}
{{- end -}}
{{- if and $v.tls.clientCertificate (not $v.tls.existingSecret) -}}
{{- fail "tls.clientCertificate needs tls.existingSecret holding the certificate and key" -}}
{{- end -}}
{{- end -}}
