{{/*
pmtud's configuration, written from go-pmtud's values (or .Values.pipeline as given). The same
pipeline as deploy/kubernetes/base/pmtud.yaml, with the values' group, networks, peers, TTL,
interface and replication backend.
*/}}
{{- define "pmtud.pipeline" -}}
{{- if .Values.pipeline -}}
{{ .Values.pipeline }}
{{- else -}}
{{- $v := .Values -}}
{{- $iface := include "pmtud.interface" . -}}
{{- $peers := include "pmtud.list" $v.pmtud.peers | fromJsonArray -}}
{{- $networks := include "pmtud.list" $v.iptables.ignoreSourceNetwork | fromJsonArray -}}
{{- range $peers -}}
{{- $networks = append $networks (printf "%s/%s" . (ternary "128" "32" (contains ":" .))) -}}
{{- end -}}
{{- $networks = uniq $networks -}}
{{- $backend := toString $v.pmtud.relayBackend -}}
{{- if not (has $backend (list "l3" "l2" "udp")) -}}
{{- fail (printf "pmtud.relayBackend is %q; allowed: l3, l2, udp" $backend) -}}
{{- end -}}
{{- if not $networks -}}
{{- fail "iptables.ignoreSourceNetwork is empty: give the networks your nodes' addresses are in (replicas come from there and must not be replicated again)" -}}
{{- end -}}
# Written by the pmtud Helm chart from its values; `pmtud validate --config` checks it.
node: ${NODE_NAME}
metrics:
  listen: "0.0.0.0:{{ $v.pmtud.metricsPort }}"
  health-listen: "0.0.0.0:{{ $v.pmtud.healthPort }}"
  go-pmtud: true
peers:
{{- if $peers }}
  - { type: static, addresses: [{{ range $i, $p := $peers }}{{ if $i }}, {{ end }}{{ $p | quote }}{{ end }}] }
{{- else }}
  - { type: kubernetes, address-type: InternalIP }
{{- end }}
{{- if $v.pmtud.serviceAddresses }}
cluster:
  # This cluster's own service addresses, which the service-addresses filter keeps.
  addresses: [ { type: kubernetes-services } ]
{{- end }}
{{- if eq $backend "udp" }}
pipelines:
  - name: replicate
    sources: [ { type: nflog, group: {{ $v.iptables.nflogGroup }} } ]
    filters:
{{- include "pmtud.filters" (dict "networks" $networks "serviceAddresses" $v.pmtud.serviceAddresses) | nindent 6 }}
    sinks: [ { type: udp, port: {{ $v.pmtud.replicationPort }}, key-file: /etc/pmtud/relay.key } ]
  - name: receive
    sources: [ { type: udp, listen: "[::]:{{ $v.pmtud.replicationPort }}", key-file: /etc/pmtud/relay.key } ]
    filters: [ { type: dedup, window: 1s } ]
    sinks: [ { type: inject, device: pmtud0 } ]
{{- else }}
sources:
  - { type: nflog, group: {{ $v.iptables.nflogGroup }} }
filters:
{{- include "pmtud.filters" (dict "networks" $networks "serviceAddresses" $v.pmtud.serviceAddresses) | nindent 2 }}
sinks:
{{- if eq $backend "l2" }}
  - { type: raw, mode: l2-unicast{{ if $iface }}, interface: {{ $iface }}{{ end }} }
{{- else }}
  - { type: raw, mode: l3, ttl: {{ $v.pmtud.ttl }}{{ if $iface }}, interface: {{ $iface }}{{ end }} }
{{- end }}
{{- end }}
rules:
  manage: true
{{- if $iface }}
  interface: {{ $iface }}
{{- end }}
  exclude-sources: [{{ range $i, $n := $networks }}{{ if $i }}, {{ end }}{{ $n | quote }}{{ end }}]
{{- end }}
{{- end -}}

{{/* The filters of deploy/kubernetes/base, with the excluded networks given; with serviceAddresses, service-addresses before dedup. */}}
{{- define "pmtud.filters" -}}
- { type: exclude-networks, networks: [{{ range $i, $n := .networks }}{{ if $i }}, {{ end }}{{ $n | quote }}{{ end }}] }
- { type: mtu-range, min: 552, max: 9216 }
{{- if .serviceAddresses }}
- { type: service-addresses }
{{- end }}
- { type: dedup, window: 1s }
- { type: rate-limit, per-source: 1/s, burst: 2, total: 100/s }
{{- end -}}
