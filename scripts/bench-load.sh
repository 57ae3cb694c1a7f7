#!/usr/bin/env bash
# Load harness (issue 6, item 2): pmtud on the receiving node of a three-node namespace rig versus
# the kernel alone (iptables TEE), fed the same pcap of distinct messages by tcpreplay.
#
#   scripts/bench-load.sh [-r RUNS] [-m MODES] [-R RATES] [-s SECONDS] [-n TOP_COUNT] [-o OUTDIR]
#     RUNS       repetitions of the whole matrix (default 5)
#     MODES      comma list of tee, l3, l2-broadcast, l2-unicast (default: tee, l3, l2-broadcast)
#     RATES      comma list of msg/s and "top" (default 20000,50000,100000,top)
#     SECONDS    length of each fixed-rate step (default 3): COUNT = rate * SECONDS
#     TOP_COUNT  messages sent at top speed (default 300000)
#
# Per (mode, rate): offered (tcpreplay's sent count), the node's NFLOG rule counter, what each peer
# received (a raw-table counter in each peer), loss %, pmtud's CPU seconds per million messages
# (/proc/PID/stat utime+stime) and tcpreplay's own user/system time, which on veth includes the
# receive softirq of the node (and so the kernel's TEE work). Needs root; touches nothing outside
# the namespaces it creates; every step is bounded in count and time.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

RUNS=5 MODES=tee,l3,l2-broadcast RATES=20000,50000,100000,top SECONDS_PER=3 TOP_COUNT=300000
OUT=${OUT:-$ROOT/pmtud-bench/$BENCH_BUILD_DIR/load-$(date -u +%Y%m%dT%H%M%SZ)}
while getopts "r:m:R:s:n:o:h" o; do
  case $o in
    r) RUNS=$OPTARG ;; m) MODES=$OPTARG ;; R) RATES=$OPTARG ;; s) SECONDS_PER=$OPTARG ;;
    n) TOP_COUNT=$OPTARG ;; o) OUT=$OPTARG ;; *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
require_root_and_tools
mkdir -p "$OUT"
trap 'pmtud_stop; rig_down' EXIT

max_count=$TOP_COUNT
for rate in ${RATES//,/ }; do
  [ "$rate" = top ] || [ $(( rate * SECONDS_PER )) -le "$max_count" ] || max_count=$(( rate * SECONDS_PER ))
done
PCAP=$OUT/messages.pcap
log "machine: $(machine_line)"
log "generating $max_count distinct messages"
java -cp "$BENCH_JAR" dev.pmtud.bench.GenPcap "$PCAP" "$max_count" "$NODE_MAC" "$INJ_MAC" "$SERVICE_IP" >/dev/null
rig_up
RES=$OUT/results.tsv
printf 'run\tmode\trate\toffered\tsecs\tnflog\tp1\tp2\tloss_p1_pct\tloss_p2_pct\tpmtud_cpu_s_per_M\treplay_user_s\treplay_sys_s\tpmtud_lost\tpmtud_forwarded\n' >"$RES"

one_step() { # mode rate run
  local mode=$1 rate=$2 run=$3 count cpu0 cpu1 r sent secs ut st nfl c1 c2 cpu lost fwd
  if [ "$rate" = top ]; then count=$TOP_COUNT; else count=$(( rate * SECONDS_PER )); fi
  zero_counters
  local lost0=0 fwd0=0
  if [ "$mode" != tee ]; then lost0=$(metric '^pmtud_source_lost_total'); fwd0=$(metric '^pmtud_forwarded_total'); fi
  cpu0=$( [ -n "$PMTUD_PID" ] && cpu_ticks "$PMTUD_PID" || echo 0)
  read -r sent secs ut st < <(replay "$rate" "$count" "$PCAP")
  settle
  cpu1=$( [ -n "$PMTUD_PID" ] && cpu_ticks "$PMTUD_PID" || echo 0)
  nfl=$(nflog_count); c1=$(peer_count "$NS_P1"); c2=$(peer_count "$NS_P2")
  lost=-; fwd=-
  if [ "$mode" != tee ]; then
    lost=$(( $(metric '^pmtud_source_lost_total') - lost0 )); fwd=$(( $(metric '^pmtud_forwarded_total') - fwd0 ))
    cpu=$(awk -v t=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v n="$sent" 'BEGIN {printf "%.3f", n ? t / hz / (n / 1e6) : 0}')
  else
    cpu=-
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$mode" "$rate" "$sent" "$secs" "$nfl" "$c1" "$c2" \
    "$(awk -v s="$sent" -v r="$c1" 'BEGIN {printf "%.3f", s ? 100 * (s - r) / s : 0}')" \
    "$(awk -v s="$sent" -v r="$c2" 'BEGIN {printf "%.3f", s ? 100 * (s - r) / s : 0}')" \
    "$cpu" "$ut" "$st" "$lost" "$fwd" | tee -a "$RES" >&2
}

for run in $(seq "$RUNS"); do
  for mode in ${MODES//,/ }; do
    case $mode in
      tee)
        tee_on
        for rate in ${RATES//,/ }; do one_step tee "$rate" "$run"; done
        tee_off ;;
      l3|l2-broadcast|l2-unicast)
        [ -x "$PMTUD_BIN" ] || die "no $PMTUD_BIN"
        pmtud_config "$mode" "$OUT/pmtud-$mode.yaml"
        nflog_on
        pmtud_start "$OUT/pmtud-$mode.yaml" "$OUT/pmtud-$mode-run$run.log"
        pmtud_wait_ready 30 >/dev/null || { tail -20 "$OUT/pmtud-$mode-run$run.log" >&2; die "pmtud ($mode) did not become ready; log: $OUT/pmtud-$mode-run$run.log"; }
        for rate in ${RATES//,/ }; do one_step "$mode" "$rate" "$run"; done
        pmtud_stop
        nflog_off ;;
      *) die "unknown mode $mode (tee, l3, l2-broadcast, l2-unicast)" ;;
    esac
  done
done

# Summary: min / median / max over the runs.
{
  echo "# load harness $(date -u +%FT%TZ) on $(machine_line)"
  echo "# $0 -r $RUNS -m $MODES -R $RATES -s $SECONDS_PER -n $TOP_COUNT"
  printf '%-13s %-7s %-26s %-26s %-26s %-26s %-26s %-22s\n' mode rate "offered msg/s (min/med/max)" "loss p1 % " "loss p2 %" "pmtud CPU s / 1M offered" "pmtud CPU us / forwarded" "replay sys s"
  for mode in ${MODES//,/ }; do
    for rate in ${RATES//,/ }; do
      col() { awk -F'\t' -v m="$mode" -v r="$rate" -v c="$1" 'NR>1 && $2==m && $3==r {print $c}' "$RES" | stats; }
      pps=$(awk -F'\t' -v m="$mode" -v r="$rate" 'NR>1 && $2==m && $3==r && $5>0 {printf "%d\n", $4/$5}' "$RES" | stats)
      fwd=$(awk -F'\t' -v m="$mode" -v r="$rate" 'NR>1 && $2==m && $3==r && $15>0 {printf "%.1f\n", $11 * $4 / $15}' "$RES" | stats)
      printf '%-13s %-7s %-26s %-26s %-26s %-26s %-26s %-22s\n' "$mode" "$rate" "$pps" "$(col 9)" "$(col 10)" "$(col 11)" "$fwd" "$(col 13)"
    done
  done
} | tee "$OUT/summary.txt"
log "results: $RES, summary: $OUT/summary.txt"
