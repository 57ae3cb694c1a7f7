#!/usr/bin/env bash
# Shared by scripts/bench-*.sh: the three-node namespace rig, counters and helpers.
# Everything lives in network namespaces this script creates, on documentation ranges only:
#
#   inj (tcpreplay, "the router")  198.51.100.100  --+
#   node (pmtud, receives PTBs)    198.51.100.1    --+-- br0 in ns "sw" (one L2 segment)
#   p1 (peer)                      198.51.100.2    --+
#   p2 (peer)                      198.51.100.3    --+
#   service address 192.0.2.10/32 on lo of node, p1, p2 (ECMP nodes share it)
#   IPv6 too: 2001:db8:100::N/64 on each eth0 (N = the last byte above: ::1, ::2, ::3, ::100), for
#   the probe configuration's IPv6 peers (pmtud_config probe)
#
# Namespace names follow pmtud-testkit's Netns pattern pmtud-<pid>-<n>-<role>, so a rig left by a
# killed run is removed by the next test run (Netns.removeStale) as well as by our own trap.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_BUILD_DIR=${BENCH_BUILD_DIR:-target-bench}
BENCH_JAR="$ROOT/pmtud-bench/$BENCH_BUILD_DIR/benchmarks.jar"
RIG_ID=$$
NS_SW=pmtud-$RIG_ID-1-sw
NS_INJ=pmtud-$RIG_ID-2-inj
NS_NODE=pmtud-$RIG_ID-3-node
NS_P1=pmtud-$RIG_ID-4-p1
NS_P2=pmtud-$RIG_ID-5-p2
NODE_IP=198.51.100.1
P1_IP=198.51.100.2
P2_IP=198.51.100.3
INJ_IP=198.51.100.100
NODE_IP6=2001:db8:100::1
P1_IP6=2001:db8:100::2
P2_IP6=2001:db8:100::3
INJ_IP6=2001:db8:100::100
NODE_NET6=2001:db8:100::/64
NODE_NET=198.51.100.0/24
SERVICE_IP=192.0.2.10
NODE_MAC=02:00:00:00:00:01
P1_MAC=02:00:00:00:00:02
P2_MAC=02:00:00:00:00:03
INJ_MAC=02:00:00:00:00:64
NFLOG_GROUP=${NFLOG_GROUP:-7}
RELAY_DEVICE=pmtud0
IPT=${IPT:-iptables}

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

require_root_and_tools() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, iptables, raw sockets)"
  local t
  for t in ip tcpreplay tcpdump "$IPT" java bridge; do
    command -v "$t" >/dev/null || die "missing '$t' (apt-get install iproute2 tcpreplay tcpdump iptables openjdk-17-jdk-headless)"
  done
  [ -f "$BENCH_JAR" ] || die "no $BENCH_JAR; build it: mvn -B -o -q -Dpmtud.build.dir=$BENCH_BUILD_DIR -pl pmtud-bench -am package -DskipTests"
}

rig_down() {
  local ns
  for ns in "$NS_INJ" "$NS_NODE" "$NS_P1" "$NS_P2" "$NS_SW"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}

# rig_up: creates the five namespaces, the bridge and the addresses, and learns every MAC.
rig_up() {
  rig_down
  local ns
  for ns in "$NS_SW" "$NS_INJ" "$NS_NODE" "$NS_P1" "$NS_P2"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
  done
  in_ns "$NS_SW" ip link add br0 type bridge stp_state 0 forward_delay 0
  in_ns "$NS_SW" ip link set br0 up
  _port() { # ns mac ip role ip6
    ip link add eth0 netns "$1" address "$2" type veth peer name "$4" netns "$NS_SW"
    in_ns "$NS_SW" ip link set "$4" master br0 up
    in_ns "$1" ip link set eth0 up
    in_ns "$1" ip addr add "$3/24" dev eth0
    in_ns "$1" ip -6 addr add "$5/64" dev eth0 nodad
    in_ns "$1" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    # Large backlog so that the receive path is not limited by the default 1000 at top speed.
    in_ns "$1" ip link set eth0 txqueuelen 10000
  }
  _port "$NS_INJ" "$INJ_MAC" "$INJ_IP" inj "$INJ_IP6"
  _port "$NS_NODE" "$NODE_MAC" "$NODE_IP" node "$NODE_IP6"
  _port "$NS_P1" "$P1_MAC" "$P1_IP" p1 "$P1_IP6"
  _port "$NS_P2" "$P2_MAC" "$P2_IP" p2 "$P2_IP6"
  for ns in "$NS_NODE" "$NS_P1" "$NS_P2"; do
    in_ns "$ns" ip addr add "$SERVICE_IP/32" dev lo
    in_ns "$ns" ip route add default via "$INJ_IP"
  done
  # Static neighbours and fdb entries: no ARP or flooding in the measurements.
  local pair
  for ns in "$NS_INJ" "$NS_NODE" "$NS_P1" "$NS_P2"; do
    for pair in "$NODE_IP $NODE_MAC" "$P1_IP $P1_MAC" "$P2_IP $P2_MAC" "$INJ_IP $INJ_MAC" \
                "$NODE_IP6 $NODE_MAC" "$P1_IP6 $P1_MAC" "$P2_IP6 $P2_MAC" "$INJ_IP6 $INJ_MAC"; do
      set -- $pair
      in_ns "$ns" ip neigh replace "$1" lladdr "$2" dev eth0 nud permanent 2>/dev/null || true
    done
  done
  for pair in "$NODE_MAC node" "$P1_MAC p1" "$P2_MAC p2" "$INJ_MAC inj"; do
    set -- $pair
    in_ns "$NS_SW" bridge fdb replace "$1" dev "$2" master static
  done
  # Peers count every frag-needed that reaches them (TEE'd clones, l3 copies and l2 broadcasts alike,
  # and what a udp relay receiver injects into its TUN device $RELAY_DEVICE).
  for ns in "$NS_P1" "$NS_P2"; do
    in_ns "$ns" "$IPT" -t raw -N PMTUD_BENCH
    in_ns "$ns" "$IPT" -t raw -A PREROUTING -i eth0 -p icmp -m icmp --icmp-type 3/4 -j PMTUD_BENCH
    in_ns "$ns" "$IPT" -t raw -A PREROUTING -i "$RELAY_DEVICE" -p icmp -m icmp --icmp-type 3/4 -j PMTUD_BENCH
  done
  in_ns "$NS_NODE" "$IPT" -t raw -N PMTUD_BENCH_IN
  in_ns "$NS_NODE" "$IPT" -t raw -A PREROUTING -i eth0 -p icmp -m icmp --icmp-type 3/4 -j PMTUD_BENCH_IN
  :
}

# rule_packets NS TABLE CHAIN: packets counted by the first rule that jumps to CHAIN (or, with
# a target given as 4th arg, by the first rule with that target).
rule_packets() {
  local ns=$1 table=$2 chain=$3 target=${4:-}
  if [ -n "$target" ]; then
    in_ns "$ns" "$IPT" -t "$table" -L "$chain" -v -x -n | awk -v t="$target" '$3==t {s+=$1} END {print s+0}'
  else
    in_ns "$ns" "$IPT" -t "$table" -L PREROUTING -v -x -n | awk -v t="$chain" '$3==t {s+=$1} END {print s+0}'
  fi
}
peer_count() { rule_packets "$1" raw PMTUD_BENCH; }
node_in_count() { rule_packets "$NS_NODE" raw PMTUD_BENCH_IN; }
zero_counters() {
  in_ns "$NS_NODE" "$IPT" -Z -t raw; in_ns "$NS_NODE" "$IPT" -Z -t mangle
  in_ns "$NS_P1" "$IPT" -Z -t raw; in_ns "$NS_P2" "$IPT" -Z -t raw
}

# NFLOG capture rule on the node, exactly as pmtud's iptables backend (dev.pmtud.app.rules.IptablesBackend)
# writes it: no --nflog-size, no --nflog-threshold, so batching is the nflog source's (batch/flush).
# We install it ourselves so that the kernel's count is this rule's own counter.
# NFLOG_RULE_EXTRA adds options (e.g. "--nflog-threshold 1" to force one message per netlink batch).
NFLOG_RULE_EXTRA=${NFLOG_RULE_EXTRA:-}
nflog_rule() { echo "PREROUTING -i eth0 ! -s $NODE_NET -p icmp -m icmp --icmp-type 3/4 -j NFLOG --nflog-group $NFLOG_GROUP $NFLOG_RULE_EXTRA"; }
nflog_on() { in_ns "$NS_NODE" "$IPT" -t raw -A $(nflog_rule); }
nflog_off() { in_ns "$NS_NODE" "$IPT" -t raw -D $(nflog_rule) 2>/dev/null || true; }
nflog_count() { rule_packets "$NS_NODE" raw PREROUTING NFLOG; }

# In-kernel baseline: the node TEEs every message to both peers.
tee_on() {
  local gw
  for gw in "$P1_IP" "$P2_IP"; do
    in_ns "$NS_NODE" "$IPT" -t mangle -A PREROUTING -i eth0 -p icmp -m icmp --icmp-type 3/4 ! -s "$NODE_NET" -j TEE --gateway "$gw"
  done
}
tee_off() { in_ns "$NS_NODE" "$IPT" -t mangle -F PREROUTING; }

# cpu_ticks PID: utime+stime in clock ticks (/proc/PID/stat fields 14 and 15).
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)

machine_line() { echo "$(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"; }

# stats MIN/MEDIAN/MAX of numbers on stdin (one per line)
stats() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%s / %s / %s", a[1], m, a[NR]}'; }

# ---- pmtud on the node ----
PMTUD_BIN=${PMTUD_BIN:-$ROOT/bin/pmtud}
# Our own distribution (mvn -Dpmtud.build.dir=target-bench -pl pmtud-app -am package), so that other
# builds in the same tree never swap jars under a running measurement. Override with PMTUD_HOME.
export PMTUD_HOME=${PMTUD_HOME:-$ROOT/pmtud-app/$BENCH_BUILD_DIR/dist}
METRICS_PORT=${METRICS_PORT:-30041}
PMTUD_PID=
# The NFLOG source block; override when the source's keys differ.
PMTUD_SOURCE_BLOCK=${PMTUD_SOURCE_BLOCK:-"{ type: nflog, group: $NFLOG_GROUP }"}

# pmtud_config MODE FILE: nflog -> exclude-networks (or the filter lines in PMTUD_FILTERS_BLOCK) -> raw sink (l3 to both peers, or l2-broadcast),
# or (MODE udp) the udp relay's sink to both peers, signed with $RELAY_KEY (see relay_key),
# or (MODE probe) the probe configuration of issue 12 (see probe_config).
pmtud_config() {
  local mode=$1 file=$2 sink source=$PMTUD_SOURCE_BLOCK
  if [ "$mode" = probe ]; then probe_config "$file"; return; fi
  local filters=${PMTUD_FILTERS_BLOCK:-"  - { type: exclude-networks, networks: [$NODE_NET] }"}
  # MODE+batchN: the nflog source with batch: N (1 = one message per netlink batch, the default;
  # 16 = the default before 2026-11-27: the kernel waits for 16 messages or its 10 ms flush timer)
  if [[ $mode =~ ^(.*)\+batch([0-9]+)$ ]]; then
    mode=${BASH_REMATCH[1]}; source="{ type: nflog, group: $NFLOG_GROUP, batch: ${BASH_REMATCH[2]} }"
  fi
  if [ "$mode" = l3 ]; then
    sink="{ type: raw, mode: l3 }"
  elif [ "$mode" = udp ]; then
    sink="{ type: udp, key-file: ${RELAY_KEY:?relay_key first} }"
  else
    sink="{ type: raw, mode: $mode, interface: eth0 }"
  fi
  cat >"$file" <<YAML
node: bench-node
metrics:
  listen: "127.0.0.1:$METRICS_PORT"
peers:
  - { type: static, addresses: [$P1_IP, $P2_IP] }
sources:
  - $source
filters:
$filters
sinks:
  - $sink
${PMTUD_RULES_BLOCK:-}
YAML
}

# probe_config FILE: the configuration the footprint target (issue 12, item 8) is about, as the
# distribution's conf/pmtud.yaml has it: IPv4 and IPv6 peers, the metrics server, pmtud's own managed
# NFLOG rules (both families; the nftables backend), the bundled filter chain (exclude-networks,
# mtu-range, dedup 1s, rate-limit 1/s burst 2 total 100/s) and raw l3. No nflog_on: the managed
# rule logs; nflog_count reads nothing then (the peers' and pmtud's counters do).
probe_config() {
  cat >"$1" <<YAML
node: bench-node
metrics:
  listen: "127.0.0.1:$METRICS_PORT"
peers:
  - { type: static, addresses: [$P1_IP, $P2_IP, $P1_IP6, $P2_IP6] }
sources:
  - $PMTUD_SOURCE_BLOCK
filters:
  - { type: exclude-networks, networks: [$NODE_NET, $NODE_NET6] }
  - { type: mtu-range, min: 552, max: 9216 }
  - { type: dedup, window: 1s }
  - { type: rate-limit, per-source: 1/s, burst: 2, total: 100/s }
sinks:
  - { type: raw, mode: l3, ttl: 1 }
rules:
  manage: true
  interface: eth0
YAML
}

# pmtud_start CONFIG LOG: starts pmtud in the node namespace; sets PMTUD_PID (the JVM's pid)
# and PMTUD_START_NS (wall clock just before exec, ns).
pmtud_start() {
  local cfg=$1 logf=$2
  PMTUD_START_NS=$(date +%s%N)
  ip netns exec "$NS_NODE" "$PMTUD_BIN" run --config "$cfg" >"$logf" 2>&1 &
  PMTUD_PID=$!   # bin/pmtud execs java, and ip netns exec execs bin/pmtud: same pid
}

# pmtud_wait_ready TIMEOUT_S: polls /readyz every 5 ms; prints ms from start to 200, or fails.
pmtud_wait_ready() {
  wait_ready "$NS_NODE" "$METRICS_PORT" "$PMTUD_PID" "$PMTUD_START_NS" "${1:-20}"
}

# wait_ready NS PORT PID START_NS TIMEOUT_S: the same for any pmtud in any namespace.
wait_ready() {
  local ns=$1 port=$2 pid=$3 start=$4 deadline=$(( $(date +%s) + $5 ))
  while [ "$(date +%s)" -le "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    if in_ns "$ns" curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$port/readyz" 2>/dev/null | grep -q 200; then
      echo $(( ($(date +%s%N) - start) / 1000000 ))
      return 0
    fi
    sleep 0.005
  done
  return 1
}

pmtud_stop() {
  stop_pid "${PMTUD_PID:-}"
  PMTUD_PID=
}

# stop_pid PID: SIGTERM, up to 5 s for a clean exit, then SIGKILL.
stop_pid() {
  local pid=$1 i
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

# ---- the udp relay's receiving side: a second pmtud, on p1 ----
RECEIVER_METRICS_PORT=${RECEIVER_METRICS_PORT:-30042}
RECEIVER_PID=

# relay_key FILE: a fresh relay key (pmtud keygen: 32 random bytes, base64, mode 0600); sets RELAY_KEY.
relay_key() {
  rm -f "$1"
  "$PMTUD_BIN" keygen --output "$1" >/dev/null
  RELAY_KEY=$1
}

# receiver_config FILE: docs/relay.md's receive pipeline: udp source (datagrams from the node,
# signed with $RELAY_KEY) -> dedup -> inject into $RELAY_DEVICE.
receiver_config() {
  cat >"$1" <<YAML
node: bench-p1
metrics:
  listen: "127.0.0.1:$RECEIVER_METRICS_PORT"
peers:
  - { type: static, addresses: [$NODE_IP] }
sources:
  - { type: udp, listen: "[::]:4390", key-file: ${RELAY_KEY:?relay_key first} }
filters:
  - { type: dedup, window: 1s }
sinks:
  - { type: inject, device: $RELAY_DEVICE }
YAML
}

# receiver_start CONFIG LOG TIMEOUT_S: pmtud on p1, waited for until ready (its TUN device exists then).
receiver_start() {
  local start
  start=$(date +%s%N)
  ip netns exec "$NS_P1" "$PMTUD_BIN" run --config "$1" >"$2" 2>&1 &
  RECEIVER_PID=$!
  wait_ready "$NS_P1" "$RECEIVER_METRICS_PORT" "$RECEIVER_PID" "$start" "$3"
}

receiver_stop() {
  stop_pid "${RECEIVER_PID:-}"
  RECEIVER_PID=
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

metric() { # metric NAME_REGEX: sum of matching series from /metrics
  in_ns "$NS_NODE" curl -s -m 2 "http://127.0.0.1:$METRICS_PORT/metrics" 2>/dev/null | awk -v re="$1" '$1 ~ re {s+=$2} END {printf "%d", s}'
}

# replay RATE COUNT PCAP [OPTION...]: tcpreplay from the injector; RATE "top" = --topspeed. Prints
# "<sent> <seconds> <tcpreplay_user_s> <tcpreplay_sys_s>".
replay() {
  local rate=$1 count=$2 pcap=$3 out speed
  shift 3 # the rest: extra tcpreplay options (--loop=0 --duration=60)
  if [ "$rate" = top ]; then speed=--topspeed; else speed=--pps=$rate; fi
  out=$( { /usr/bin/time -f 'TIME %U %S' ip netns exec "$NS_INJ" tcpreplay -i eth0 $speed --limit="$count" --preload-pcap "$@" "$pcap"; } 2>&1 )
  local sent secs ut st
  sent=$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' <<<"$out" | tail -1)
  secs=$(sed -n 's/.*sent in \([0-9.]*\) seconds.*/\1/p' <<<"$out" | tail -1)
  read -r ut st < <(sed -n 's/^TIME \([0-9.]*\) \([0-9.]*\)$/\1 \2/p' <<<"$out" | tail -1)
  echo "${sent:-0} ${secs:-0} ${ut:-0} ${st:-0}"
}

# settle: waits until the peers' counters stop moving (at most 3 s).
settle() {
  local last=-1 now i
  for i in $(seq 30); do
    now=$(( $(peer_count "$NS_P1") + $(peer_count "$NS_P2") ))
    [ "$now" = "$last" ] && return 0
    last=$now
    sleep 0.1
  done
}
