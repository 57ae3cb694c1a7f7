#!/usr/bin/env bash
# Footprint (issue 6, item 4): time from process start to /readyz = 200, resident memory when ready,
# after 5 s idle and after a flood, for the shipped JVM options (bin/pmtud) and candidate flag sets.
# pmtud runs as in the load harness: nflog -> exclude-networks -> raw l3 to two peers, in the rig.
#
#   scripts/bench-footprint.sh [-r RUNS] [-v VARIANTS] [-F FLOOD_VARIANTS] [-f FLOOD_S] [-p FLOOD_PPS]
#                              [-c CONFIG] [-S SOAK_S -P SOAK_PPS -W WARMUP_S] [-o OUTDIR]
#     RUNS            5
#     VARIANTS        comma list of names below (default: all)
#     FLOOD_VARIANTS  variants that also get the flood (default shipped,recommended)
#     FLOOD_S         60 (seconds of flood)     FLOOD_PPS 50000 (requested rate; tcpreplay --pps)
#     CONFIG          probe (default: issue 12's probe configuration, bench-lib.sh's probe_config:
#                     IPv4 and IPv6 peers, metrics, managed rules, the bundled filter chain, raw l3)
#                     or l3 (the load harness's nflog -> exclude-networks -> raw l3, iptables rule)
#     SOAK_S          instead of the runs above: one soak of the first variant for SOAK_S seconds at
#                     SOAK_PPS msg/s (default 20000; 300 000 distinct messages looped), RSS sampled
#                     every 10 s into soak.tsv; summary: RSS at ready, at WARMUP_S (default 300),
#                     at the end, the peak, and the slope after warm-up (least squares, KiB/min)
#
# Variants (options appended to bin/pmtud's defaults through PMTUD_JAVA_OPTS, so they win):
#   shipped      nothing added: exactly what bin/pmtud runs
#   cds          + -XX:SharedArchiveFile=<archive of pmtud's own classes> (JDK 17: made once by a
#                  training run with -XX:ArchiveClassesAtExit, see below)
#   c1           + -XX:TieredStopAtLevel=1 (C1 only: less compiler memory and CPU, slower peak)
#   keeppages    + -Dpmtud.release-jvm-pages=false (the JVM's mapped files are not reclaimed when ready)
#   recommended  + CDS archive + -XX:TieredStopAtLevel=1 + -XX:CICompilerCount=1 + -Xss256k
#                  + -XX:MaxMetaspaceSize=48m + -XX:ReservedCodeCacheSize=16m + -Xmx48m
#   lean         recommended with -Xms8m -Xmx32m, and MALLOC_ARENA_MAX=2 in the environment
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

RUNS=5 VARIANTS=shipped,cds,c1,recommended FLOOD_VARIANTS=shipped,recommended FLOOD_S=60 FLOOD_PPS=50000
CONFIG=probe SOAK_S=0 SOAK_PPS=20000 WARMUP_S=300
OUT=${OUT:-$ROOT/pmtud-bench/$BENCH_BUILD_DIR/footprint-$(date -u +%Y%m%dT%H%M%SZ)}
while getopts "r:v:F:f:p:c:S:P:W:o:h" o; do
  case $o in
    r) RUNS=$OPTARG ;; v) VARIANTS=$OPTARG ;; F) FLOOD_VARIANTS=$OPTARG ;; f) FLOOD_S=$OPTARG ;;
    p) FLOOD_PPS=$OPTARG ;; c) CONFIG=$OPTARG ;; S) SOAK_S=$OPTARG ;; P) SOAK_PPS=$OPTARG ;;
    W) WARMUP_S=$OPTARG ;; o) OUT=$OPTARG ;; *) sed -n '2,30p' "$0"; exit 2 ;;
  esac
done
case $CONFIG in probe|l3) ;; *) die "-c is probe or l3, not '$CONFIG'" ;; esac
require_root_and_tools
[ -x "$PMTUD_BIN" ] || die "no $PMTUD_BIN"
mkdir -p "$OUT"
trap 'pmtud_stop; rig_down' EXIT
JSA=$OUT/pmtud-app.jsa

variant_opts() {
  case $1 in
    shipped) echo "" ;;
    cds) echo "-XX:SharedArchiveFile=$JSA" ;;
    c1) echo "-XX:TieredStopAtLevel=1" ;;
    keeppages) echo "-Dpmtud.release-jvm-pages=false" ;;
    recommended) echo "-XX:SharedArchiveFile=$JSA -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xss256k -XX:MaxMetaspaceSize=48m -XX:ReservedCodeCacheSize=16m -Xmx48m" ;;
    lean) echo "-XX:SharedArchiveFile=$JSA -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xss256k -XX:MaxMetaspaceSize=48m -XX:ReservedCodeCacheSize=16m -Xms8m -Xmx32m" ;;
    *) die "unknown variant $1" ;;
  esac
}

log "machine: $(machine_line)"
PCAP=$OUT/messages.pcap
java -cp "$BENCH_JAR" dev.pmtud.bench.GenPcap "$PCAP" 300000 "$NODE_MAC" "$INJ_MAC" "$SERVICE_IP" >/dev/null
rig_up
pmtud_config "$CONFIG" "$OUT/pmtud.yaml"
[ "$CONFIG" = probe ] || nflog_on   # the probe configuration installs its own rules

# Environment a variant adds (glibc malloc arenas: one per thread by default, up to 8 per core).
variant_env() { case $1 in lean) echo MALLOC_ARENA_MAX=2 ;; *) echo PMTUD_BENCH_VARIANT=$1 ;; esac; }

# CDS training run (JDK 17: dynamic archive at exit). Start, become ready, handle some traffic,
# stop with SIGTERM: the archive then holds the classes of start-up and of the packet path.
if [[ ",$VARIANTS," == *,cds,* || ",$VARIANTS," == *,recommended,* ]]; then
  log "CDS training run -> $JSA"
  PMTUD_JAVA_OPTS="-XX:ArchiveClassesAtExit=$JSA" pmtud_start "$OUT/pmtud.yaml" "$OUT/cds-training.log"
  pmtud_wait_ready 60 >/dev/null || die "training run not ready: $OUT/cds-training.log"
  replay 5000 10000 "$PCAP" >/dev/null; settle
  pmtud_stop
  [ -s "$JSA" ] || die "no CDS archive written; see $OUT/cds-training.log"
  log "archive: $(du -h "$JSA" | cut -f1)"
fi

# ---- soak: one variant, SOAK_S seconds at SOAK_PPS, RSS every 10 s ----
if [ "$SOAK_S" -gt 0 ]; then
  v=${VARIANTS%%,*}
  export PMTUD_JAVA_OPTS
  PMTUD_JAVA_OPTS=$(variant_opts "$v")
  export "$(variant_env "$v")"
  pmtud_start "$OUT/pmtud.yaml" "$OUT/soak-$v.log"
  unset MALLOC_ARENA_MAX
  pmtud_wait_ready 60 >/dev/null || die "soak ($v): not ready; see $OUT/soak-$v.log"
  SOAK=$OUT/soak.tsv
  printf 't_s\trss_kib\tcpu_s\treceived\tforwarded\tlost\tload1\n' >"$SOAK"
  sample() { # t
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$(rss_kib "$PMTUD_PID")" \
      "$(awk -v t="$(cpu_ticks "$PMTUD_PID")" -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", t / hz}')" \
      "$(metric '^pmtud_received_total')" "$(metric '^pmtud_forwarded_total')" "$(metric '^pmtud_source_lost_total')" \
      "$(cut -d' ' -f1 /proc/loadavg)" >>"$SOAK"
  }
  sample 0
  # --pps-multi: 1000 bursts a second instead of one message every 50 us, so that the injector
  # sleeps between bursts instead of spinning a core for 30 minutes on a shared machine.
  ip netns exec "$NS_INJ" timeout $(( SOAK_S + 60 )) tcpreplay -i eth0 --pps="$SOAK_PPS" --pps-multi=$(( SOAK_PPS / 1000 > 0 ? SOAK_PPS / 1000 : 1 )) \
    --loop=0 --duration="$SOAK_S" --preload-pcap "$PCAP" >"$OUT/soak-tcpreplay.log" 2>&1 &
  REPLAY_PID=$!
  trap 'kill "$REPLAY_PID" 2>/dev/null; pmtud_stop; rig_down' EXIT
  t0=$(date +%s)
  while kill -0 "$REPLAY_PID" 2>/dev/null; do
    sleep 10
    kill -0 "$PMTUD_PID" 2>/dev/null || die "pmtud exited during the soak; see $OUT/soak-$v.log"
    sample $(( $(date +%s) - t0 ))
  done
  wait "$REPLAY_PID" || true
  settle
  sample $(( $(date +%s) - t0 ))
  pmtud_stop
  {
    echo "# soak $(date -u +%FT%TZ) on $(machine_line)"
    echo "# $0 -c $CONFIG -v $v -S $SOAK_S -P $SOAK_PPS -W $WARMUP_S; $(variant_env "$v") PMTUD_JAVA_OPTS='$PMTUD_JAVA_OPTS'"
    grep -m1 -o 'Actual: [0-9]* packets.*' "$OUT/soak-tcpreplay.log" || true
    awk -F'\t' -v w="$WARMUP_S" 'NR == 1 {next}
      { t = $1; r = $2 / 1024; if (NR == 2) ready = r; if (t <= w) atw = r; if (r > peak) peak = r; last = r; lastt = t
        if (t >= w) { n++; sx += t; sy += r; sxx += t * t; sxy += t * r }
        cpu = $3; rec = $4; fwd = $5; lost = $6; l = l " " $7 }
      END {
        slope = (n > 1 && n * sxx - sx * sx) ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0
        printf "RSS MiB: ready %.1f, at %d s (end of warm-up) %.1f, end (%d s) %.1f, peak %.1f\n", ready, w, atw, lastt, last, peak
        printf "after warm-up: end - warm-up %+.2f MiB, slope %+.1f KiB/min (%d samples)\n", last - atw, slope * 1024 * 60, n
        printf "pmtud: received %d, forwarded %d, lost %d, CPU %.1f s\n", rec, fwd, lost, cpu
        printf "load average (1 min) while sampled:%s\n", l
      }' "$SOAK"
  } | tee "$OUT/summary.txt"
  exit 0
fi

RES=$OUT/results.tsv
printf 'run\tvariant\tready_ms\tcpu_ms_at_ready\trss_ready_kib\trss_idle5s_kib\trss_after_flood_kib\tflood_sent\tflood_received_p1\tcpu_s_flood\n' >"$RES"
for run in $(seq "$RUNS"); do
  for v in ${VARIANTS//,/ }; do
    export PMTUD_JAVA_OPTS
    PMTUD_JAVA_OPTS=$(variant_opts "$v")
    export "$(variant_env "$v")"
    pmtud_start "$OUT/pmtud.yaml" "$OUT/$v-run$run.log"
    unset MALLOC_ARENA_MAX
    ready=$(pmtud_wait_ready 60) || die "$v run $run: not ready; see $OUT/$v-run$run.log"
    rss0=$(rss_kib "$PMTUD_PID")
    cpu_ready=$(( $(cpu_ticks "$PMTUD_PID") * 1000 / CLK_TCK ))
    sleep 5
    rss1=$(rss_kib "$PMTUD_PID")
    rss2=- sent=- got=- cpu=-
    if [[ ",$FLOOD_VARIANTS," == *",$v,"* ]]; then
      zero_counters
      c0=$(cpu_ticks "$PMTUD_PID")
      read -r sent _ _ _ < <(replay "$FLOOD_PPS" $(( FLOOD_PPS * FLOOD_S )) "$PCAP" --loop=0 --duration="$FLOOD_S")
      settle
      rss2=$(rss_kib "$PMTUD_PID")
      got=$(peer_count "$NS_P1")
      cpu=$(awk -v t=$(( $(cpu_ticks "$PMTUD_PID") - c0 )) -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", t / hz}')
    fi
    pmtud_stop
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$v" "$ready" "$cpu_ready" "$rss0" "$rss1" "$rss2" "$sent" "$got" "$cpu" | tee -a "$RES" >&2
  done
done
unset PMTUD_JAVA_OPTS

{
  echo "# footprint $(date -u +%FT%TZ) on $(machine_line)"
  echo "# $0 -r $RUNS -v $VARIANTS -F $FLOOD_VARIANTS -f $FLOOD_S -p $FLOOD_PPS   (min / median / max over runs)"
  printf '%-12s %-22s %-22s %-24s %-24s %-24s\n' variant "ready ms (wall)" "CPU ms at ready" "RSS ready MiB" "RSS idle+5s MiB" "RSS after flood MiB"
  for v in ${VARIANTS//,/ }; do
    col() { awk -F'\t' -v m="$v" -v c="$1" -v d="$2" 'NR>1 && $2==m && $c!="-" {printf "%.1f\n", $c / d}' "$RES" | stats; }
    printf '%-12s %-22s %-22s %-24s %-24s %-24s\n' "$v" "$(col 3 1)" "$(col 4 1)" "$(col 5 1024)" "$(col 6 1024)" "$(col 7 1024)"
  done
  for v in ${VARIANTS//,/ }; do echo "#   $v: $(variant_env "$v") bin/pmtud defaults + PMTUD_JAVA_OPTS='$(variant_opts "$v")'"; done
} | tee "$OUT/summary.txt"
