#!/usr/bin/env bash
# JMH benchmarks of the hot path (issue 6, item 1), then the same loops in thread CPU time.
#
#   scripts/bench-jmh.sh [-f FORKS] [-o OUTDIR] [-- EXTRA_JMH_ARGS...]
#
# 1. java -jar benchmarks.jar -f FORKS -prof gc   (DecodeBenchmark, FilterChainBenchmark, PipelineBenchmark,
#    and as root RawSinkBenchmark, which opens the raw sink in network namespaces)
#    ns/op = ns per message; gc.alloc.rate.norm = bytes allocated per message.
#    Summary: per benchmark and parameter set, min / median / max of the per-fork means.
# 2. dev.pmtud.bench.CpuTime, FORKS JVMs each for decode, the chain (default and forwarding rate
#    limit) and the whole runtime path (PipelineBenchmark's setup): thread CPU ns per
#    message and thread-allocated bytes per message, which stay honest when the machine is shared
#    (wall-clock ns/op also counts time spent waiting for a core); as root also the raw sink's
#    send in each mode.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_BUILD_DIR=${BENCH_BUILD_DIR:-target-bench}
JAR=$ROOT/pmtud-bench/$BENCH_BUILD_DIR/benchmarks.jar
FORKS=5
OUT=$ROOT/pmtud-bench/$BENCH_BUILD_DIR/jmh-$(date -u +%Y%m%dT%H%M%SZ)
while getopts "f:o:h" o; do
  case $o in f) FORKS=$OPTARG ;; o) OUT=$OPTARG ;; *) sed -n '2,12p' "$0"; exit 2 ;; esac
done
shift $((OPTIND - 1)); [ "${1:-}" = -- ] && shift
[ -f "$JAR" ] || { echo "no $JAR; build: mvn -B -o -q -Dpmtud.build.dir=$BENCH_BUILD_DIR -pl pmtud-bench -am package -DskipTests" >&2; exit 1; }
mkdir -p "$OUT"
machine="$(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# $(date -u +%FT%TZ) $machine, load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/summary.txt"

ROOT_ONLY=(); [ "$(id -u)" = 0 ] || ROOT_ONLY=(-e RawSinkBenchmark) # namespaces need root
java -jar "$JAR" -f "$FORKS" -prof gc -rf json -rff "$OUT/jmh.json" "${ROOT_ONLY[@]}" "$@" 2>&1 | tee "$OUT/jmh.txt" | grep -E '^(Benchmark|Decode|FilterChain|Pipeline|RawSink)|outcome|pipeline summary|raw sink' || true

# Per-fork means of ns/op and of gc.alloc.rate.norm, from JMH's text output.
awk '
  /^# Benchmark: / { bench = $3; sub(/.*\./, "", bench) }
  /^# Parameters: / { params = $0; sub(/^# Parameters: /, "", params); gsub(/chain = exclude-networks networks=198.51.100.0\/24; mtu-range; dedup; rate-limit per-source=1000000000\/s burst=1000000000/, "chain = FORWARD", params); gsub(/chain = exclude-networks networks=198.51.100.0\/24; mtu-range; dedup; rate-limit/, "chain = DEFAULT", params) }
  /^# Fork: / { fork++; key = bench " " params; n[key]++ }
  /^Iteration / { v = $3; sub(/,/, "", v); s[key, n[key]] += v; c[key, n[key]]++ }
  /gc.alloc.rate.norm:/ && !/≈/ { a[key, n[key]] += $2; ac[key, n[key]]++ }
  END {
    for (k in n) {
      for (i = 1; i <= n[k]; i++) {
        printf "%s\tns_per_msg\t%.2f\n", k, s[k, i] / c[k, i]
        printf "%s\talloc_bytes_per_msg\t%.4f\n", k, ac[k, i] ? a[k, i] / ac[k, i] : 0
      }
    }
  }' "$OUT/jmh.txt" > "$OUT/per-fork.tsv"

stats() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%s / %s / %s", a[1], m, a[NR]}'; }
{
  echo "## JMH (wall clock), $FORKS forks, min / median / max of per-fork means"
  cut -f1 "$OUT/per-fork.tsv" | sort -u | while read -r k; do
    ns=$(awk -F'\t' -v k="$k" '$1==k && $2=="ns_per_msg" {print $3}' "$OUT/per-fork.tsv" | stats)
    al=$(awk -F'\t' -v k="$k" '$1==k && $2=="alloc_bytes_per_msg" {print $3}' "$OUT/per-fork.tsv" | stats)
    printf '%-60s ns/msg %-28s B/msg %s\n' "$k" "$ns" "$al"
  done
} | tee -a "$OUT/summary.txt"

{
  echo "## thread CPU time (dev.pmtud.bench.CpuTime), $FORKS JVMs, min / median / max"
  FWD="exclude-networks networks=198.51.100.0/24; mtu-range; dedup; rate-limit per-source=1000000000/s burst=1000000000"
  run_cpu() { # label what [arg]
    local label=$1; shift
    for i in $(seq "$FORKS"); do java -Xms256m -Xmx256m -cp "$JAR" dev.pmtud.bench.CpuTime "$@" | grep RESULT; done > "$OUT/cpu-$label.txt"
    ns=$(sed -n 's/.*cpu_ns_per_msg=\([0-9.]*\).*/\1/p' "$OUT/cpu-$label.txt" | stats)
    mps=$(sed -n 's/.*msgs_per_cpu_s=\([0-9.]*\).*/\1/p' "$OUT/cpu-$label.txt" | stats)
    al=$(sed -n 's/.*alloc_bytes_per_msg=\([0-9.]*\).*/\1/p' "$OUT/cpu-$label.txt" | stats)
    printf '%-17s CPU ns/msg %-24s msg per CPU-s %-34s B/msg %s\n' "$label" "$ns" "$mps" "$al"
  }
  run_cpu decode decode
  run_cpu chain-default chain
  run_cpu chain-forward chain "$FWD"
  run_cpu pipeline-default pipeline "per-source=1/s burst=2"
  run_cpu pipeline-forward pipeline "per-source=1000000000/s burst=1000000000"
  if [ "$(id -u)" = 0 ]; then
    for mode in l3 ipip l2-unicast l2-broadcast; do run_cpu "raw-$mode" raw "$mode"; done
  fi
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$OUT/summary.txt"
echo "results in $OUT"
