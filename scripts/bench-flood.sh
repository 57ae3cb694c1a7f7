#!/usr/bin/env bash
# Forged-flood harness (issue 12, item 3): pmtud on the receiving node of the three-node rig with the
# bundled default filter chain (exclude-networks, mtu-range, dedup 1s, rate-limit 1/s burst 2 total
# 100/s) and raw l3 to both peers; a genuine router sends 3 messages, one a second, before a flood
# of forged messages from random sources and 10 more, one a second, during it.
#
#   scripts/bench-flood.sh [-r RUNS] [-R RATES] [-n COUNT] [-S SOURCES] [-d SECONDS] [-o OUTDIR]
#     RUNS      repetitions (default 3)
#     RATES     comma list of msg/s and "top" (default 50000,top)
#     COUNT     distinct flood messages in the pcap (default 500000); a rate step sends them once
#               (50 000 msg/s: 10 s), "top" loops them at tcpreplay --topspeed for SECONDS
#     SOURCES   forged sources, drawn at random in 10.0.0.0/8 (default 10000)
#     SECONDS   length of the top-speed step (default 10)
#
# Per step: the router's messages relayed to each peer during the flood (of 10, counted in each
# peer by a u32 match on the quoted destination), copies per peer in all against the total budget
# (total/s x the measured window + total-burst: the window runs from the router's first message
# until the peers' counters settle), the flood offered (tcpreplay), pmtud's CPU (utime+stime of its JVM), its RSS, and the
# rate-limit filter's table sizes after the flood (pmtud_rate_limit_sources / _prefixes /
# _known_sources, pmtud_dedup_entries). PMTUD_HOME selects the distribution (e.g. one built from an
# older commit, to measure "before"). Needs root; touches nothing outside its namespaces; every step
# is bounded in count and time.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

RUNS=3 RATES=50000,top COUNT=500000 SOURCES=10000 TOP_SECONDS=10
OUT=${OUT:-$ROOT/pmtud-bench/$BENCH_BUILD_DIR/flood-$(date -u +%Y%m%dT%H%M%SZ)}
while getopts "r:R:n:S:d:o:h" o; do
  case $o in
    r) RUNS=$OPTARG ;; R) RATES=$OPTARG ;; n) COUNT=$OPTARG ;; S) SOURCES=$OPTARG ;; d) TOP_SECONDS=$OPTARG ;;
    o) OUT=$OPTARG ;; *) sed -n '2,22p' "$0"; exit 2 ;;
  esac
done
require_root_and_tools
mkdir -p "$OUT"
trap 'pmtud_stop; rig_down' EXIT

log "machine: $(machine_line)"
log "generating $COUNT flood messages from $SOURCES forged sources, and the router's 3 + 10"
java -cp "$BENCH_JAR" dev.pmtud.bench.GenFlood "$OUT" "$COUNT" "$SOURCES" "$NODE_MAC" "$INJ_MAC" "$SERVICE_IP" >/dev/null
rig_up
# The router's copies during the flood: l3 copies quote the router's flow to 203.0.113.250 (0xcb0071fa)
# at byte 44 (new IPv4 header 20 + ICMP 8 + the quoted header's destination at 16).
for ns in "$NS_P1" "$NS_P2"; do
  in_ns "$ns" "$IPT" -t raw -N PMTUD_ROUTER
  in_ns "$ns" "$IPT" -t raw -I PREROUTING 1 -i eth0 -p icmp -m icmp --icmp-type 3/4 -m u32 --u32 "44=0xcb0071fa" -j PMTUD_ROUTER
done
router_count() { rule_packets "$1" raw PMTUD_ROUTER; }

# The bundled chain, as examples/pmtud.yaml writes it, with the node network excluded.
PMTUD_FILTERS_BLOCK=$(sed -n '/^filters:/,/^sinks:/p' "$ROOT/examples/pmtud.yaml" | grep '^  - ' \
  | sed "s|{ type: exclude-networks }|{ type: exclude-networks, networks: [$NODE_NET] }|")
export PMTUD_FILTERS_BLOCK
# The total budget the copies per peer are held to: total/s over the measured window, plus total-burst
# (which defaults to the per-second count).
TOTAL_RATE=$(sed -n 's/.*type: rate-limit.*total: \([0-9]*\)\/s.*/\1/p' <<<"$PMTUD_FILTERS_BLOCK")
[ -n "$TOTAL_RATE" ] || die "the bundled chain (examples/pmtud.yaml) has no rate-limit total: N/s; this harness measures it"
pmtud_config l3 "$OUT/pmtud.yaml"
log "pmtud $(PMTUD_HOME=$PMTUD_HOME "$PMTUD_BIN" --version 2>/dev/null | head -1) from $PMTUD_HOME; config $OUT/pmtud.yaml"

RES=$OUT/results.tsv
printf 'run\trate\toffered\tsecs\twindow_s\tbudget\trouter_p1\trouter_p2\tcopies_p1\tcopies_p2\tpmtud_cpu_s\tpmtud_cpu_us_per_offered\trss_mib\tsources\tprefixes\tknown\tdedup_entries\tlost\tcpu_pct\n' >"$RES"

one_step() { # rate run
  local rate=$1 run=$2 cpu0 cpu1 sent secs ut st lost0 rp1 rp2 c1 c2
  nflog_on
  pmtud_start "$OUT/pmtud.yaml" "$OUT/pmtud-run$run-$rate.log"
  pmtud_wait_ready 60 >/dev/null || { tail -20 "$OUT/pmtud-run$run-$rate.log" >&2; die "pmtud did not become ready"; }
  zero_counters
  local t0 t1 window
  t0=$(date +%s%N)
  lost0=$(metric '^pmtud_source_lost_total')
  cpu0=$(cpu_ticks "$PMTUD_PID")
  # the router: three messages one a second before the flood, then ten more once the flood is on
  ip netns exec "$NS_INJ" tcpreplay -i eth0 --pps=1 "$OUT/router-before.pcap" >"$OUT/router-run$run-$rate.log" 2>&1
  local in0 flood_out=$OUT/flood-run$run-$rate.out
  in0=$(node_in_count)
  if [ "$rate" = top ]; then
    replay top 100000000 "$OUT/flood.pcap" --loop=0 --duration="$TOP_SECONDS" >"$flood_out" &
  else
    replay "$rate" "$COUNT" "$OUT/flood.pcap" >"$flood_out" &
  fi
  local flood_pid=$!
  local i
  for i in $(seq 200); do [ "$(node_in_count)" -gt $(( in0 + 1000 )) ] && break; sleep 0.05; done
  ip netns exec "$NS_INJ" tcpreplay -i eth0 --pps=1 "$OUT/router-during.pcap" >>"$OUT/router-run$run-$rate.log" 2>&1
  wait "$flood_pid"
  read -r sent secs ut st <"$flood_out"
  settle
  cpu1=$(cpu_ticks "$PMTUD_PID")
  t1=$(date +%s%N)
  window=$(awk -v d=$((t1 - t0)) 'BEGIN {printf "%.2f", d / 1e9}')
  rp1=$(router_count "$NS_P1"); rp2=$(router_count "$NS_P2")
  c1=$(peer_count "$NS_P1"); c2=$(peer_count "$NS_P2")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$rate" "$sent" "$secs" \
    "$window" "$(awk -v w="$window" -v r="$TOTAL_RATE" 'BEGIN {printf "%d", r * w + r}')" "$rp1" "$rp2" "$c1" "$c2" \
    "$(awk -v t=$((cpu1 - cpu0)) -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", t / hz}')" \
    "$(awk -v t=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v n="$sent" 'BEGIN {printf "%.2f", n ? t / hz / n * 1e6 : 0}')" \
    "$(awk -v k="$(rss_kib "$PMTUD_PID")" 'BEGIN {printf "%.1f", k / 1024}')" \
    "$(metric '^pmtud_rate_limit_sources')" "$(metric '^pmtud_rate_limit_prefixes')" "$(metric '^pmtud_rate_limit_known_sources')" \
    "$(metric '^pmtud_dedup_entries')" "$(( $(metric '^pmtud_source_lost_total') - lost0 ))" \
    "$(awk -v t=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v w="$window" 'BEGIN {printf "%.0f", t / hz / w * 100}')" | tee -a "$RES" >&2
  pmtud_stop
  nflog_off
}

for run in $(seq "$RUNS"); do
  for rate in ${RATES//,/ }; do one_step "$rate" "$run"; done
done

{
  echo "# forged-flood harness $(date -u +%FT%TZ) on $(machine_line)"
  echo "# $0 -r $RUNS -R $RATES -n $COUNT -S $SOURCES -d $TOP_SECONDS; PMTUD_HOME=$PMTUD_HOME; source: $PMTUD_SOURCE_BLOCK"
  printf '%-7s %-26s %-14s %-14s %-22s %-22s %-22s %-20s %-18s %s\n' rate "offered msg/s (min/med/max)" "router p1/10" "router p2/10" \
    "copies per peer" "total budget" "pmtud CPU us/offered" "CPU % of a core" "RSS MiB" "lost in the socket"
  for rate in ${RATES//,/ }; do
    col() { awk -F'\t' -v r="$rate" -v c="$1" 'NR>1 && $2==r {print $c}' "$RES" | stats; }
    pps=$(awk -F'\t' -v r="$rate" 'NR>1 && $2==r && $4>0 {printf "%d\n", $3/$4}' "$RES" | stats)
    printf '%-7s %-26s %-14s %-14s %-22s %-22s %-22s %-20s %-18s %s\n' "$rate" "$pps" "$(col 7)" "$(col 8)" "$(col 9)" "$(col 6)" \
      "$(col 12)" "$(col 19)" "$(col 13)" "$(col 18)"
  done
} | tee "$OUT/summary.txt"
log "results: $RES, summary: $OUT/summary.txt"
