{{/* Names, labels and the shared pieces of the mp3conv chart. */}}

{{- define "mp3conv.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mp3conv.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mp3conv.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels common to every object. */}}
{{- define "mp3conv.labels" -}}
helm.sh/chart: {{ include "mp3conv.chart" . }}
app.kubernetes.io/name: {{ include "mp3conv.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mp3conv
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component; call with (dict "ctx" $ "component" "gateway"). */}}
{{- define "mp3conv.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mp3conv.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component. */}}
{{- define "mp3conv.componentLabels" -}}
{{ include "mp3conv.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "mp3conv.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mp3conv.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mp3conv.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{- define "mp3conv.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl }}
{{- else }}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- end }}
{{- end }}

{{- define "mp3conv.authUrl" -}}
{{- printf "http://%s-auth:%d" (include "mp3conv.fullname" .) (int .Values.ports.http) }}
{{- end }}

{{/*
Returns the value of key in an existing Secret (found with lookup), or a new random
alphanumeric string. lookup returns nothing under `helm template` and dry runs, so those
render a fresh value. Call with (dict "ctx" $ "name" "secret-name" "key" "password").
*/}}
{{- define "mp3conv.keptRandom" -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .name }}
{{- if and $existing $existing.data (hasKey $existing.data .key) }}
{{- index $existing.data .key | b64dec }}
{{- else }}
{{- randAlphaNum 32 }}
{{- end }}
{{- end }}

{{/* Secret and key holding MONGODB_URI. */}}
{{- define "mp3conv.mongodb.secretName" -}}
{{- if .Values.mongodb.enabled }}
{{- .Values.mongodb.auth.existingSecret | default (printf "%s-mongodb" (include "mp3conv.fullname" .)) }}
{{- else }}
{{- .Values.mongodb.external.existingSecret | default (printf "%s-mongodb-external" (include "mp3conv.fullname" .)) }}
{{- end }}
{{- end }}

{{- define "mp3conv.mongodb.secretKey" -}}
{{- if .Values.mongodb.enabled }}uri{{ else }}{{ .Values.mongodb.external.existingSecretKey | default "uri" }}{{ end }}
{{- end }}

{{/* Secret and key holding AMQP_URI. */}}
{{- define "mp3conv.rabbitmq.secretName" -}}
{{- if .Values.rabbitmq.enabled }}
{{- .Values.rabbitmq.auth.existingSecret | default (printf "%s-rabbitmq" (include "mp3conv.fullname" .)) }}
{{- else }}
{{- .Values.rabbitmq.external.existingSecret | default (printf "%s-rabbitmq-external" (include "mp3conv.fullname" .)) }}
{{- end }}
{{- end }}

{{- define "mp3conv.rabbitmq.secretKey" -}}
{{- if .Values.rabbitmq.enabled }}uri{{ else }}{{ .Values.rabbitmq.external.existingSecretKey | default "uri" }}{{ end }}
{{- end }}

{{- define "mp3conv.signingKey.secretName" -}}
{{- .Values.auth.signingKey.existingSecret | default (printf "%s-auth-signing-key" (include "mp3conv.fullname" .)) }}
{{- end }}

{{- define "mp3conv.signingKey.secretKey" -}}
{{- if .Values.auth.signingKey.existingSecret }}{{ .Values.auth.signingKey.existingSecretKey }}{{ else }}signing-key.pem{{ end }}
{{- end }}

{{- define "mp3conv.webhookSecretKey.secretName" -}}
{{- .Values.notifier.webhookSecretKey.existingSecret | default (printf "%s-webhook-secret-key" (include "mp3conv.fullname" .)) }}
{{- end }}

{{- define "mp3conv.webhookSecretKey.secretKey" -}}
{{- if .Values.notifier.webhookSecretKey.existingSecret }}{{ .Values.notifier.webhookSecretKey.existingSecretKey }}{{ else }}webhook-secret.key{{ end }}
{{- end }}

{{- define "mp3conv.admin.enabled" -}}
{{- if or .Values.auth.admin.existingSecret .Values.auth.admin.email }}true{{ end }}
{{- end }}

{{- define "mp3conv.admin.secretName" -}}
{{- .Values.auth.admin.existingSecret | default (printf "%s-admin" (include "mp3conv.fullname" .)) }}
{{- end }}

{{- define "mp3conv.smtp.credentials" -}}
{{- if or .Values.smtp.existingSecret .Values.smtp.username .Values.smtp.password }}true{{ end }}
{{- end }}

{{- define "mp3conv.smtp.secretName" -}}
{{- .Values.smtp.existingSecret | default (printf "%s-smtp" (include "mp3conv.fullname" .)) }}
{{- end }}

{{/*
Non-secret settings of one role, as a YAML map of environment variables. The role's
ConfigMap holds them and its Deployment carries their checksum, so a change rolls the pods.
Call with (dict "ctx" $ "role" "gateway").
*/}}
{{- define "mp3conv.roleConfig" -}}
{{- $v := .ctx.Values }}
APP_ROLES: {{ .role | quote }}
SERVER_PORT: {{ $v.ports.http | toString | quote }}
ADMIN_PORT: {{ $v.ports.admin | toString | quote }}
ADMIN_HOST: {{ $v.ports.adminHost | quote }}
{{- if $v.http.maxConnections }}
SERVER_MAX_CONNECTIONS: {{ $v.http.maxConnections | toString | quote }}
{{- end }}
SERVER_HEADER_TIMEOUT: {{ $v.http.headerTimeout | toString | quote }}
SERVER_BODY_IDLE_TIMEOUT: {{ $v.http.bodyIdleTimeout | toString | quote }}
MP3CONV_DATA_DIR: "/data"
PUBLIC_URL: {{ include "mp3conv.publicUrl" .ctx | quote }}
JAVA_OPTS: {{ $v.javaOpts | quote }}
MONGODB_DATABASE: {{ $v.mongodb.database | quote }}
{{- if eq .role "auth" }}
AUTH_ISSUER: {{ $v.auth.issuer | quote }}
AUTH_TOKEN_TTL: {{ $v.auth.tokenTtl | quote }}
AUTH_OPEN_REGISTRATION: {{ $v.auth.openRegistration | toString | quote }}
AUTH_AUDIENCE: {{ $v.auth.audience | quote }}
AUTH_REVOCATION_CACHE_TTL: {{ $v.auth.revocationCacheTtl | quote }}
AUTH_HASHING_THREADS: {{ $v.auth.hashingThreads | toString | quote }}
AUTH_REGISTRATION_MAX_PER_ADDRESS: {{ $v.auth.registrationMaxPerAddress | toString | quote }}
{{- /* login throttling per client: the Ingress writes the chain, the gateway forwards it unchanged */}}
AUTH_CLIENT_ADDRESS_HEADER: "X-Forwarded-For"
{{- else }}
VIDEO_QUEUE: {{ $v.queue.video | quote }}
MP3_QUEUE: {{ $v.queue.mp3 | quote }}
QUEUE_DELIVERY_LIMIT: {{ $v.queue.deliveryLimit | toString | quote }}
{{- end }}
{{- if or (eq .role "auth") (eq .role "gateway") }}
{{- /* the gateway enforces the quota, auth shows it in GET /api/v1/users/me */}}
USER_QUOTA: {{ $v.retention.userQuota | toString | quote }}
{{- end }}
{{- if or (eq .role "gateway") (eq .role "converter") }}
{{- /* converters stamp expiry times on jobs that end; both run the sweeper that applies them */}}
RETAIN_VIDEOS: {{ $v.retention.videos | toString | quote }}
RETAIN_MP3S: {{ $v.retention.mp3s | toString | quote }}
SWEEPER_INTERVAL: {{ $v.retention.sweeperInterval | toString | quote }}
{{- end }}
{{- if eq .role "gateway" }}
AUTH_URL: {{ include "mp3conv.authUrl" .ctx | quote }}
AUTH_ISSUER: {{ $v.auth.issuer | quote }}
AUTH_AUDIENCE: {{ $v.auth.audience | quote }}
{{- /* revocation: the gateway reads the users collection of the shared MongoDB through this cache */}}
AUTH_REVOCATION_CACHE_TTL: {{ $v.auth.revocationCacheTtl | quote }}
UPLOAD_MAX_SIZE: {{ $v.gateway.maxUploadSize | toString | quote }}
UPLOAD_STREAM: {{ $v.gateway.streamUploads | toString | quote }}
{{- /* the gateway serves PUT /api/v1/users/me/webhook, which checks the scheme */}}
WEBHOOKS_ALLOW_HTTP: {{ $v.notifier.webhooksAllowHttp | toString | quote }}
WEBHOOKS_ALLOW_PRIVATE: {{ $v.notifier.webhooksAllowPrivate | toString | quote }}
{{- end }}
{{- if eq .role "converter" }}
CONVERTER_CONCURRENCY: {{ $v.converter.concurrency | toString | quote }}
CONVERTER_PER_USER: {{ $v.converter.perUser | toString | quote }}
CONVERTER_MAX_DURATION: {{ $v.converter.maxDuration | quote }}
CONVERTER_SEGMENT_THRESHOLD: {{ $v.converter.segmentThreshold | toString | quote }}
CONVERTER_STREAM_IDLE: {{ $v.converter.streamIdle | toString | quote }}
{{- $pods := $v.converter.replicas }}
{{- if $v.converter.keda.enabled }}{{ $pods = $v.converter.keda.maxReplicaCount }}
{{- else if $v.converter.autoscaling.enabled }}{{ $pods = $v.converter.autoscaling.maxReplicas }}{{ end }}
CONVERTER_SEGMENTS: {{ $v.converter.segments | default (min 64 (mul $pods $v.converter.concurrency)) | toString | quote }}
{{- end }}
{{- if eq .role "notifier" }}
{{- if $v.smtp.host }}
SMTP_HOST: {{ $v.smtp.host | quote }}
{{- end }}
SMTP_PORT: {{ $v.smtp.port | toString | quote }}
SMTP_SECURITY: {{ $v.smtp.security | quote }}
SMTP_FROM: {{ $v.smtp.from | quote }}
WEBHOOKS_ALLOW_HTTP: {{ $v.notifier.webhooksAllowHttp | toString | quote }}
WEBHOOKS_ALLOW_PRIVATE: {{ $v.notifier.webhooksAllowPrivate | toString | quote }}
{{- end }}
{{- end }}

{{/* Secret-backed environment variables of one role; call with (dict "ctx" $ "role" "gateway"). */}}
{{- define "mp3conv.roleSecretEnv" -}}
{{- $ctx := .ctx -}}
- name: MONGODB_URI
  valueFrom:
    secretKeyRef:
      name: {{ include "mp3conv.mongodb.secretName" $ctx }}
      key: {{ include "mp3conv.mongodb.secretKey" $ctx }}
{{- if ne .role "auth" }}
- name: AMQP_URI
  valueFrom:
    secretKeyRef:
      name: {{ include "mp3conv.rabbitmq.secretName" $ctx }}
      key: {{ include "mp3conv.rabbitmq.secretKey" $ctx }}
{{- end }}
{{- if eq .role "auth" }}
- name: AUTH_SIGNING_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "mp3conv.signingKey.secretName" $ctx }}
      key: {{ include "mp3conv.signingKey.secretKey" $ctx }}
{{- if include "mp3conv.admin.enabled" $ctx }}
- name: MP3CONV_ADMIN_EMAIL
  valueFrom:
    secretKeyRef:
      name: {{ include "mp3conv.admin.secretName" $ctx }}
      key: email
- name: MP3CONV_ADMIN_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "mp3conv.admin.secretName" $ctx }}
      key: password
{{- end }}
{{- end }}
{{- if or (eq .role "gateway") (eq .role "notifier") }}
{{- /* the gateway encrypts webhook secrets when they are set, the notifier decrypts them to sign */}}
- name: WEBHOOKS_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "mp3conv.webhookSecretKey.secretName" $ctx }}
      key: {{ include "mp3conv.webhookSecretKey.secretKey" $ctx }}
{{- end }}
{{- if and (eq .role "notifier") (include "mp3conv.smtp.credentials" $ctx) }}
- name: SMTP_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "mp3conv.smtp.secretName" $ctx }}
      key: username
- name: SMTP_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "mp3conv.smtp.secretName" $ctx }}
      key: password
{{- end }}
{{- end }}

{{/*
Checksum of the operator-supplied secret values a role reads, so that changing them rolls the
role's pods. Generated values (keys, passwords) are left out: they are stable across upgrades.
*/}}
{{- define "mp3conv.roleSecretChecksum" -}}
{{- $v := .ctx.Values }}
{{- $inputs := dict "mongodb" (dict "enabled" $v.mongodb.enabled "auth" $v.mongodb.auth "external" $v.mongodb.external) }}
{{- if ne .role "auth" }}
{{- $_ := set $inputs "rabbitmq" (dict "enabled" $v.rabbitmq.enabled "auth" $v.rabbitmq.auth "external" $v.rabbitmq.external) }}
{{- end }}
{{- if eq .role "auth" }}
{{- $_ := set $inputs "auth" (dict "signingKey" $v.auth.signingKey "admin" $v.auth.admin) }}
{{- end }}
{{- if eq .role "notifier" }}
{{- $_ := set $inputs "smtp" (pick $v.smtp "username" "password" "existingSecret") }}
{{- end }}
{{- if or (eq .role "gateway") (eq .role "notifier") }}
{{- $_ := set $inputs "webhookSecretKey" $v.notifier.webhookSecretKey }}
{{- end }}
{{- toJson $inputs | sha256sum }}
{{- end }}
