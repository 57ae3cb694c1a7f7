#!/usr/bin/env bash
# Relay latency (issue 6, item 3): at a fixed low rate, the time from a message's arrival on the
# receiving node's interface to its copy's arrival on a peer's interface. Both captures are taken
# by tcpdump with nanosecond timestamps in two namespaces of one kernel, so on one clock
# (CLOCK_REALTIME, stamped when the frame enters each interface's receive path).
#
#   scripts/bench-latency.sh [-r RUNS] [-m MODES] [-p PPS] [-c COUNT] [-o OUTDIR]
#     RUNS 5, MODES tee,l3,l3+batch16,l2-broadcast,udp, PPS 1000, COUNT 5000 (5 s per run)
#     (MODE+batchN: the nflog source with batch: N; the default is batch: 1, the kernel sends every
#      message at once; l3+batch16 is the old default, which waits for 16 or the 10 ms flush timer)
#     (udp: the udp relay, issue 10: the node's udp sink sends each message, signed, to both peers;
#      a second pmtud on p1 verifies it and injects it into its TUN device pmtud0, where the copy is
#      captured: the whole path, both daemons included)
#
# Prints per mode: p50 / p99 / max in µs, min/median/max over the runs. "tee" is the kernel alone.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

RUNS=5 MODES=tee,l3,l3+batch16,l2-broadcast,udp PPS=1000 COUNT=5000
OUT=${OUT:-$ROOT/pmtud-bench/$BENCH_BUILD_DIR/latency-$(date -u +%Y%m%dT%H%M%SZ)}
while getopts "r:m:p:c:o:h" o; do
  case $o in
    r) RUNS=$OPTARG ;; m) MODES=$OPTARG ;; p) PPS=$OPTARG ;; c) COUNT=$OPTARG ;; o) OUT=$OPTARG ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
done
require_root_and_tools
mkdir -p "$OUT"
CAP_PIDS=()
stop_caps() { local p; for p in "${CAP_PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${CAP_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done; CAP_PIDS=(); }
trap 'stop_caps; pmtud_stop; receiver_stop; rig_down' EXIT

PCAP=$OUT/messages.pcap
log "machine: $(machine_line)"
java -cp "$BENCH_JAR" dev.pmtud.bench.GenPcap "$PCAP" "$COUNT" "$NODE_MAC" "$INJ_MAC" "$SERVICE_IP" >/dev/null
rig_up
RES=$OUT/results.tsv
printf 'run\tmode\tpairs\tnot_relayed\tp50_us\tp90_us\tp99_us\tmax_us\n' >"$RES"

capture() { # ns file errfile [iface]: tcpdump on eth0 (or iface), inbound only, nanosecond stamps; waits until it listens
  ip netns exec "$1" tcpdump -i "${4:-eth0}" -Q in -nn -s 256 --time-stamp-precision=nano -B 8192 -w "$2" 'icmp[0] = 3 and icmp[1] = 4' 2>"$3" &
  CAP_PIDS+=($!)
  local i; for i in $(seq 100); do grep -q 'listening on' "$3" 2>/dev/null && return 0; sleep 0.05; done
  die "tcpdump did not start: $(cat "$3")"
}

one_run() { # mode run [peer iface]
  local mode=$1 run=$2 d="$OUT/$1-run$2" line
  capture "$NS_NODE" "$d-node.pcap" "$d-node.err"
  capture "$NS_P1" "$d-p1.pcap" "$d-p1.err" "${3:-eth0}"
  replay "$PPS" "$COUNT" "$PCAP" >/dev/null
  settle; sleep 0.3
  stop_caps
  line=$(java -cp "$BENCH_JAR" dev.pmtud.bench.Latency "$d-node.pcap" "$d-p1.pcap")
  log "$mode run $run: $line"
  awk -v run="$run" -v mode="$mode" '{for (i=1;i<=NF;i++) {split($i,kv,"="); v[kv[1]]=kv[2]}
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", run, mode, v["pairs"], v["not_relayed"], v["p50_us"], v["p90_us"], v["p99_us"], v["max_us"]}' <<<"$line" >>"$RES"
}

for run in $(seq "$RUNS"); do
  for mode in ${MODES//,/ }; do
    case $mode in
      tee) tee_on; one_run tee "$run"; tee_off ;;
      l3|l2-broadcast|l3+batch[0-9]*|l2-broadcast+batch[0-9]*|udp)
        [ -x "$PMTUD_BIN" ] || die "no $PMTUD_BIN"
        peer_if=eth0
        if [ "$mode" = udp ]; then
          [ -n "${RELAY_KEY:-}" ] || relay_key "$OUT/relay.key"
          receiver_config "$OUT/pmtud-p1-receive.yaml"
          receiver_start "$OUT/pmtud-p1-receive.yaml" "$OUT/pmtud-p1-receive-run$run.log" 60 >/dev/null \
            || die "pmtud on p1 (udp receiver) did not become ready; log: $OUT/pmtud-p1-receive-run$run.log"
          peer_if=$RELAY_DEVICE
        fi
        pmtud_config "$mode" "$OUT/pmtud-$mode.yaml"
        nflog_on
        pmtud_start "$OUT/pmtud-$mode.yaml" "$OUT/pmtud-$mode-run$run.log"
        pmtud_wait_ready 30 >/dev/null || die "pmtud ($mode) did not become ready; log: $OUT/pmtud-$mode-run$run.log"
        # Warm the JIT on the path first (not measured): a DaemonSet pod is long-running.
        replay "$PPS" "$(( COUNT < 2000 ? COUNT : 2000 ))" "$PCAP" >/dev/null; settle
        one_run "$mode" "$run" "$peer_if"
        pmtud_stop; receiver_stop; nflog_off ;;
      *) die "unknown mode $mode" ;;
    esac
  done
done

{
  echo "# relay latency $(date -u +%FT%TZ) on $(machine_line)"
  echo "# $0 -r $RUNS -m $MODES -p $PPS -c $COUNT   (µs; min / median / max over runs)"
  printf '%-13s %-24s %-24s %-24s %-24s\n' mode p50 p99 max not_relayed
  for mode in ${MODES//,/ }; do
    col() { awk -F'\t' -v m="$mode" -v c="$1" 'NR>1 && $2==m {print $c}' "$RES" | stats; }
    printf '%-13s %-24s %-24s %-24s %-24s\n' "$mode" "$(col 5)" "$(col 7)" "$(col 8)" "$(col 4)"
  done
} | tee "$OUT/summary.txt"
