#!/usr/bin/env bash
# Checks deploy/systemd/pmtud.service with systemd's own tools, without installing anything:
#   systemd-analyze verify           directives, values, sections (any warning fails the check)
#   systemd-analyze security         the sandbox's exposure score stays at or under THRESHOLD
# verify insists that ExecStart's program exists and is executable; /opt/pmtud is not installed
# on a build machine, so a copy of the unit points at a stub in a temporary directory instead.
# Nothing else in the unit is changed. Exit status: 0 good, 1 a finding, 2 cannot check.
#   scripts/check-systemd.sh [UNIT] (default deploy/systemd/pmtud.service)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
unit="${1:-$here/deploy/systemd/pmtud.service}"
threshold="${THRESHOLD:-30}"   # systemd's scale: 0 (locked down) .. 100; 30 is "2.9 OK"

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "check-systemd: systemd-analyze is missing; install the Debian package systemd" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
printf '#!/bin/sh\nexit 0\n' > "$work/bin/pmtud"
chmod +x "$work/bin/pmtud"
sed "s|/opt/pmtud/bin/pmtud|$work/bin/pmtud|g" "$unit" > "$work/pmtud.service"

status=0
if ! out="$(systemd-analyze verify --man=no "$work/pmtud.service" 2>&1)"; then
  status=1
fi
if [ -n "$out" ]; then
  # verify exits 0 on unknown keys and bad values it ignores; its warnings are findings here.
  echo "check-systemd: systemd-analyze verify $(basename "$unit"):" >&2
  echo "$out" | sed "s|$work/pmtud.service|$unit|g" >&2
  status=1
fi

if ! sec="$(systemd-analyze security --offline=yes --threshold="$threshold" "$work/pmtud.service" 2>&1)"; then
  echo "check-systemd: exposure above $threshold/100:" >&2
  echo "$sec" | tail -3 >&2
  status=1
fi

for want in 'AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW' 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW' \
            'NoNewPrivileges=yes' 'ProtectSystem=strict' 'Restart=on-failure' \
            'ExecStart=/opt/pmtud/bin/pmtud run --config /etc/pmtud/pmtud.yaml'; do
  if ! grep -qxF "$want" "$unit"; then
    echo "check-systemd: $(basename "$unit") lacks the line: $want" >&2
    status=1
  fi
done

if [ "$status" -eq 0 ]; then
  echo "check-systemd: $(basename "$unit") OK ($(echo "$sec" | grep -o 'Overall exposure level[^🙂]*' | sed 's/ *$//'))"
fi
exit "$status"
