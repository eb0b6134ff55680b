{{/* The release's full name, at most 40 characters so that member names stay short. */}}
{{- define "hotswap.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "hotswap.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
{{- end -}}

{{- define "hotswap.coordinatorSelector" -}}
app.kubernetes.io/name: {{ .Chart.Name | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/component: coordinator
{{- end -}}

{{- define "hotswap.agentSelector" -}}
app.kubernetes.io/name: {{ .Chart.Name | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/component: agent
{{- end -}}

{{- define "hotswap.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "hotswap.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "hotswap.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "hotswap.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "hotswap.fullname" .)) .Values.tls.existingSecret -}}
{{- end -}}

{{- define "hotswap.bootstrapSecretName" -}}
{{- default (printf "%s-bootstrap" (include "hotswap.fullname" .)) .Values.bootstrap.existingSecret -}}
{{- end -}}

{{/* The headless Service that gives each coordinator pod its DNS name (the StatefulSet's serviceName). */}}
{{- define "hotswap.peersService" -}}
{{- printf "%s-peers" (include "hotswap.fullname" .) -}}
{{- end -}}

{{/* The DNS domain of the headless Service: "SERVICE.NAMESPACE.svc.CLUSTERDOMAIN". */}}
{{- define "hotswap.peersDomain" -}}
{{- printf "%s.%s.svc.%s" (include "hotswap.peersService" .) .Release.Namespace .Values.clusterDomain -}}
{{- end -}}

{{/* "NAME=POD.PEERS.NAMESPACE.svc.DOMAIN:PEER,..." for --initial-cluster: each member at its pod's DNS name,
which the headless Service publishes ready or not and every dial resolves again (a rescheduled pod moves). */}}
{{- define "hotswap.initialCluster" -}}
{{- $fullname := include "hotswap.fullname" . -}}
{{- $domain := include "hotswap.peersDomain" . -}}
{{- $members := list -}}
{{- range $index := until (int .Values.coordinators.replicas) -}}
{{- $members = append $members (printf "%s-%d=%s-%d.%s:%d" $fullname $index $fullname $index $domain (int $.Values.ports.peer)) -}}
{{- end -}}
{{- join "," $members -}}
{{- end -}}

{{/* "POD.PEERS.NAMESPACE.svc.DOMAIN:AGENT,..." for an agent's --coordinators. */}}
{{- define "hotswap.agentCoordinators" -}}
{{- $fullname := include "hotswap.fullname" . -}}
{{- $domain := include "hotswap.peersDomain" . -}}
{{- $members := list -}}
{{- range $index := until (int .Values.coordinators.replicas) -}}
{{- $members = append $members (printf "%s-%d.%s:%d" $fullname $index $domain (int $.Values.ports.agent)) -}}
{{- end -}}
{{- join "," $members -}}
{{- end -}}

{{/* Refuses, with a message naming the value, what cannot make a working cluster. */}}
{{- define "hotswap.validate" -}}
{{- $replicas := int .Values.coordinators.replicas -}}
{{- if eq (mod $replicas 2) 0 -}}
{{- fail (printf "coordinators.replicas is %d: it must be odd (1, 3, 5 or 7); an even count tolerates no more failures than the odd count below it and can split its votes" $replicas) -}}
{{- end -}}
{{- if .Values.coordinators.memberServiceIPs -}}
{{- fail "coordinators.memberServiceIPs was removed in chart 0.3: members are reached by their pod DNS names under the headless Service. Remove it from your values (with --reuse-values: --set coordinators.memberServiceIPs=null) and follow the chart's README.md, \"Upgrading from chart 0.2 to 0.3\" (helm show readme)" -}}
{{- end -}}
{{- if and .Values.bootstrap.adminPassword .Values.bootstrap.existingSecret -}}
{{- fail "bootstrap.adminPassword and bootstrap.existingSecret are both set: give one" -}}
{{- end -}}
{{- if not (or .Values.bootstrap.adminPassword .Values.bootstrap.existingSecret) -}}
{{- fail "bootstrap.adminPassword or bootstrap.existingSecret is required: the first admin's password founds the cluster (there is no default password)" -}}
{{- end -}}
{{- with .Values.bootstrap.adminPassword -}}
{{- $lower := lower . -}}
{{- range $placeholder := list "changeme" "change-me" "change_me" "password" "admin" "hotswap" "secret" "letmein" "qwerty" "123456" "example" "placeholder" "replace" "xxxx" -}}
{{- if contains $placeholder $lower -}}
{{- fail (printf "bootstrap.adminPassword looks like a placeholder (it contains %q): choose a real password of at least 12 characters" $placeholder) -}}
{{- end -}}
{{- end -}}
{{- if lt (len .) 12 -}}
{{- fail "bootstrap.adminPassword is shorter than 12 characters, which the coordinators' password policy refuses" -}}
{{- end -}}
{{- end -}}
{{- if and (not .Values.tls.generate) (not .Values.tls.existingSecret) -}}
{{- fail "tls.existingSecret is required when tls.generate is false: name the Secret holding ca.pem and NAME.pem/NAME.key for every coordinator" -}}
{{- end -}}
{{- if and .Values.tls.generate .Values.tls.existingSecret -}}
{{- fail "tls.generate and tls.existingSecret are both set: set tls.generate to false to use your own Secret" -}}
{{- end -}}
{{- if and .Values.tls.existingSecret (not (regexMatch "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" .Values.tls.existingSecret)) -}}
{{- fail (printf "tls.existingSecret %q is not a Secret name" .Values.tls.existingSecret) -}}
{{- end -}}
{{- /* Agents need ca.key in the Secret (the coordinators mount it for --signing-key and would wait on it forever).
lookup answers an empty map under helm template and --dry-run, where nothing is checked. */ -}}
{{- if and .Values.agents.enabled (not .Values.tls.generate) .Values.tls.existingSecret -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace .Values.tls.existingSecret -}}
{{- if and $secret (not (hasKey ($secret.data | default dict) "ca.key")) -}}
{{- fail (printf "tls.existingSecret %q has no ca.key, which the coordinators need to sign agent certificates when agents are on: add ca.key to it, or set agents.enabled=false" .Values.tls.existingSecret) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* What the hook's certificates depend on (full name, namespace, coordinator count, cluster domain, DNS
names), hashed: the hook writes it on the TLS Secret it makes and refuses a Secret made for another. The
leading "pod-dns" tells these apart from chart 0.2's, whose certificates named member Service IPs. */}}
{{- define "hotswap.tlsFingerprint" -}}
{{- list "pod-dns" (include "hotswap.fullname" .) .Release.Namespace .Values.coordinators.replicas .Values.clusterDomain .Values.tls.extraDNSNames | toJson | sha256sum -}}
{{- end -}}

{{/* A duration as the coordinators write it (250ms, 10s, 2m, 1h) in whole seconds, rounded up. */}}
{{- define "hotswap.seconds" -}}
{{- $number := regexReplaceAll "[^0-9].*$" . "" | int -}}
{{- if hasSuffix "ms" . -}}{{ div (add $number 999) 1000 }}
{{- else if hasSuffix "s" . -}}{{ $number }}
{{- else if hasSuffix "m" . -}}{{ mul $number 60 }}
{{- else -}}{{ mul $number 3600 }}
{{- end -}}
{{- end -}}
