#!/usr/bin/env bash
# Checks a distribution made by scripts/make-dist.sh for real, on its own runtime only: no java on
# PATH, no JAVA_HOME, and the process's executable must be DIST/runtime/bin/java.
#
#   scripts/verify-dist.sh [DIST]          DIST: the pmtud/ directory (default dist/pmtud)
#
# Runs --version, plugins, validate of conf/pmtud.yaml, a replay of examples/capture.pcap (its
# summary must equal what examples/pmtud.yaml gives on the repository's launcher, when that is
# built), and, as root, the daemon itself with conf/pmtud.yaml (nflog, raw l3, managed iptables rule)
# in a throw-away network namespace: /readyz must answer 200, then VmRSS is printed.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
DIST="$(cd "${1:-$ROOT/dist/pmtud}" && pwd)"
log() { printf 'verify-dist: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pmtud-verify.XXXXXX")
NS="pmtud-verify-$$"
cleanup() {
  [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A PATH holding only the tools the launcher and pmtud call, and no java.
mkdir -p "$WORK/bin"
for t in bash env readlink dirname cat iptables ip6tables iptables-legacy ip6tables-legacy \
         iptables-nft ip6tables-nft ip; do
  p=$(command -v "$t" 2>/dev/null) && ln -sf "$(readlink -f "$p")" "$WORK/bin/$t" || true
done
# iptables is a multi-call binary: it needs its own name, not its target's.
for t in iptables ip6tables iptables-legacy ip6tables-legacy iptables-nft ip6tables-nft; do
  p=$(command -v "$t" 2>/dev/null) && ln -sf "$p" "$WORK/bin/$t" || true
done
run() { env -i PATH="$WORK/bin" HOME="$WORK" "$@"; }
run bash -c 'command -v java' >/dev/null 2>&1 && fail "java is still on the test PATH"

log "--version"
v=$(run "$DIST/bin/pmtud" --version) || fail "--version exited $?"
echo "$v"
grep -q "^pmtud " <<<"$v" || fail "--version printed no 'pmtud <version>' line"

log "plugins"
p=$(run "$DIST/bin/pmtud" plugins) || fail "plugins exited $?"
echo "$p"
for t in nflog pcap pcap-file exclude-networks mtu-range dedup rate-limit raw log static dns file kubernetes; do
  grep -qw -- "$t" <<<"$p" || fail "plugins does not list $t"
done

log "validate conf/pmtud.yaml"
run NODE_NAME=node-a "$DIST/bin/pmtud" validate --config "$DIST/conf/pmtud.yaml" || fail "validate exited $?"
if run "$DIST/bin/pmtud" validate --config "$DIST/conf/pmtud.yaml" >/dev/null 2>&1; then
  fail "validate passed without NODE_NAME, which conf/pmtud.yaml requires"
fi

log "replay examples/capture.pcap"
cd "$ROOT"
run NODE_NAME=node-a "$DIST/bin/pmtud" --log-level warn replay --config "$DIST/conf/pmtud.yaml" \
  --input examples/capture.pcap --output "$WORK/fwd.pcap" --summary-json "$WORK/conf.json" >"$WORK/conf.txt" \
  || fail "replay with conf/pmtud.yaml exited $?"
tail -n1 "$WORK/conf.txt"
[ -s "$WORK/fwd.pcap" ] || fail "replay wrote no $WORK/fwd.pcap"
run "$DIST/bin/pmtud" --log-level warn replay --config examples/pmtud.yaml --input examples/capture.pcap \
  --summary-json "$WORK/dist.json" >"$WORK/dist.txt" || fail "replay with examples/pmtud.yaml exited $?"
tail -n1 "$WORK/dist.txt"
if [ -x "$ROOT/bin/pmtud" ] && "$ROOT/bin/pmtud" --version >/dev/null 2>&1; then
  "$ROOT/bin/pmtud" --log-level warn replay --config examples/pmtud.yaml --input examples/capture.pcap \
    --summary-json "$WORK/repo.json" >/dev/null || fail "the repository launcher's replay exited $?"
  cmp -s "$WORK/dist.json" "$WORK/repo.json" || fail "replay summaries differ: dist $(cat "$WORK/dist.json") vs repo $(cat "$WORK/repo.json")"
  log "replay summary equals the repository launcher's: $(cat "$WORK/dist.json")"
fi

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  log "not root (or no ip): skipping the daemon run in a network namespace"
  log "OK"; exit 0
fi
log "run conf/pmtud.yaml in network namespace $NS"
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add eth0 type veth peer name eth0-peer
ip -n "$NS" link set eth0-peer up
ip -n "$NS" addr add 192.0.2.10/24 dev eth0
ip -n "$NS" link set eth0 up
ip -n "$NS" route add default via 192.0.2.1 dev eth0
# The managed rule: pmtud's nftables table where the kernel has nf_tables (rules.backend auto), else iptables.
rule_installed() {
  ip netns exec "$NS" nft list table inet pmtud 2>/dev/null | grep -q 'log group 33' \
    || ip netns exec "$NS" iptables -t raw -S PREROUTING | grep -q 'nflog-group 33'
}
ip netns exec "$NS" env -i PATH="$WORK/bin" HOME="$WORK" NODE_NAME=node-a PMTUD_METRICS_LISTEN=127.0.0.1:30040 \
  "$DIST/bin/pmtud" run --config "$DIST/conf/pmtud.yaml" >"$WORK/run.log" 2>&1 &
PID=$!
ready=""
for _ in $(seq 300); do
  code=$(ip netns exec "$NS" curl -s -o /dev/null -m 1 -w '%{http_code}' http://127.0.0.1:30040/readyz 2>/dev/null || true)
  [ "$code" = 200 ] && { ready=1; break; }
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { cat "$WORK/run.log" >&2; fail "the daemon did not become ready"; }
JPID=$(pgrep -P "$PID" -x java || echo "$PID")
exe=$(readlink -f "/proc/$JPID/exe")
[ "$exe" = "$(readlink -f "$DIST/runtime/bin/java")" ] || fail "the daemon runs $exe, not the distribution's runtime"
rule_installed || fail "the managed NFLOG rule is not installed"
rss_ready=$(awk '/^VmRSS:/ {print $2}' "/proc/$JPID/status")
sleep 5
rss_idle=$(awk '/^VmRSS:/ {print $2}' "/proc/$JPID/status")
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$JPID/status")
log "daemon ready on $exe; VmRSS at ready ${rss_ready} KiB, after 5 s ${rss_idle} KiB, peak (VmHWM) ${hwm} KiB"
kill -TERM "$PID"
wait "$PID" && rc=0 || rc=$?
PID=""
[ "$rc" = 0 ] || { cat "$WORK/run.log" >&2; fail "the daemon exited $rc on SIGTERM"; }
if rule_installed; then fail "the NFLOG rule is still there after stop"; fi
log "stopped cleanly (exit 0), rule removed"
log "OK"
