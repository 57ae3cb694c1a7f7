#!/usr/bin/env bash
# Where pmtud's CPU goes under load: the load harness's l3 (or l2-broadcast) setup with a JFR
# recording in pmtud, user vs system time split from /proc/PID/stat, and the hottest Java frames.
#
#   scripts/bench-profile.sh [-m MODE] [-p PPS] [-c COUNT] [-o OUTDIR]     (l3, 20000, 200000)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
MODE=l3 PPS=20000 COUNT=200000
OUT=${OUT:-$ROOT/pmtud-bench/$BENCH_BUILD_DIR/profile-$(date -u +%Y%m%dT%H%M%SZ)}
while getopts "m:p:c:o:h" o; do
  case $o in m) MODE=$OPTARG ;; p) PPS=$OPTARG ;; c) COUNT=$OPTARG ;; o) OUT=$OPTARG ;; *) sed -n '2,6p' "$0"; exit 2 ;; esac
done
require_root_and_tools
mkdir -p "$OUT"
trap 'pmtud_stop; rig_down' EXIT
java -cp "$BENCH_JAR" dev.pmtud.bench.GenPcap "$OUT/messages.pcap" "$COUNT" "$NODE_MAC" "$INJ_MAC" "$SERVICE_IP" >/dev/null
rig_up
pmtud_config "$MODE" "$OUT/pmtud.yaml"
nflog_on
PMTUD_JAVA_OPTS="-XX:StartFlightRecording=filename=$OUT/pmtud.jfr,settings=profile" pmtud_start "$OUT/pmtud.yaml" "$OUT/pmtud.log"
pmtud_wait_ready 60 >/dev/null || die "not ready: $OUT/pmtud.log"
replay "$PPS" 20000 "$OUT/messages.pcap" >/dev/null; settle   # warm-up
fwd0=$(metric '^pmtud_forwarded_total')
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$PMTUD_PID/stat")
zero_counters
PERF_PID=
if command -v perf >/dev/null; then   # kernel and JVM-native frames of pmtud's threads (JIT frames show as [unknown])
  perf record -q -g -p "$PMTUD_PID" -o "$OUT/perf.data" >/dev/null 2>&1 & PERF_PID=$!
fi
read -r sent secs rut rst < <(replay "$PPS" "$COUNT" "$OUT/messages.pcap")
settle
[ -n "$PERF_PID" ] && { kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true; }
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$PMTUD_PID/stat")
got=$(peer_count "$NS_P1"); nfl=$(nflog_count)
in_ns "$NS_NODE" curl -s "http://127.0.0.1:$METRICS_PORT/metrics" > "$OUT/metrics.txt"
fwd=$(( $(metric '^pmtud_forwarded_total') - fwd0 ))
pmtud_stop
{
  echo "# profile $(date -u +%FT%TZ) on $(machine_line)"
  echo "mode $MODE: sent $sent in ${secs}s, nflog $nfl, pmtud forwarded $fwd, peer1 got $got (metrics below: since start, 20000 warm-up messages included)"
  awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$CLK_TCK" -v n="$fwd" 'BEGIN {
    printf "pmtud CPU per forwarded message: user %.2f us, system %.2f us (sendmmsg to the peers runs the veth/bridge/peer receive path in this thread)\n", u / hz / n * 1e6, s / hz / n * 1e6 }'
  grep -E '^pmtud_(source_lost|received|forwarded|peer_sent)_total' "$OUT/metrics.txt" || true
  echo "## hottest Java frames (JFR jdk.ExecutionSample: threads running Java code; self, then inclusive)"
  jfr print --events jdk.ExecutionSample "$OUT/pmtud.jfr" > "$OUT/samples.txt"
  awk '
    /^jdk\.ExecutionSample/ { n++; first = 1; delete seen; next }
    /line:/ { f = $1; if (first) { self[f]++; first = 0 } if (!(f in seen)) { incl[f]++; seen[f] = 1 } }
    END {
      print "samples " n
      for (f in self) printf "self %5.1f%% %s\n", 100 * self[f] / n, f | "sort -k2 -rn | head -15"
      close("sort -k2 -rn | head -15")
      for (f in incl) printf "incl %5.1f%% %s\n", 100 * incl[f] / n, f | "sort -k2 -rn | head -25"
    }' "$OUT/samples.txt"
  if [ -s "$OUT/perf.data" ]; then
    echo "## perf: pmtud's threads by DSO, then the hottest symbols (self), kernel included"
    perf report -i "$OUT/perf.data" --no-children -g none --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -8
    perf report -i "$OUT/perf.data" --no-children -g none --sort dso,sym --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25
  fi
} | tee "$OUT/summary.txt"
