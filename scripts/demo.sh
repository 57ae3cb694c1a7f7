#!/usr/bin/env bash
# `make demo`: the ECMP PMTU black hole in throw-away network namespaces, without and with pmtud.
#
# Builds the same lab the end-to-end tests use (dev.pmtud.it.EcmpLab, pmtud-it's test sources):
# a client (mtu 9000), a router whose link to the client has mtu 1400, three nodes on a bridge
# sharing a VIP; the router sends TCP for the VIP to node1 and ICMP for it to node2. Then it shows
# node1's `ip route get <client>` after a 2 MB transfer without pmtud (no mtu, stalled) and with
# `bin/pmtud run` on every node (mtu 1400, done). Everything it creates is removed on exit.
#
#   PMTUD_BUILD_DIR  Maven output directory name (default: target, the one `make build` uses)
#   MVN, MVN_FLAGS   Maven command and extra flags (default: mvn, -B), e.g. MVN_FLAGS="-B -o" offline
# Arguments (optional) pick the setup pmtud runs with: a source (nflog: the default, the NFLOG rule
# managed by pmtud; nflog-external-rule; pcap) and a raw-sink mode (l3: the default, l2-broadcast,
# l2-unicast), e.g. `scripts/demo.sh pcap l2-broadcast`.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: the black-hole demo needs root (network namespaces, raw sockets, iptables);" >&2
  echo "demo: you are not root, so here is 'make run' (a capture replayed through pmtud) instead." >&2
  exec make --no-print-directory -C "$root" run
fi

missing=""
mvn="${MVN:-mvn}"
for tool in ip iptables ip6tables tcpdump java "$mvn"; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  echo "demo: missing:$missing; install them (apt-get install iproute2 iptables tcpdump openjdk-17-jdk-headless maven) or run 'make deps-test'" >&2
  exit 1
fi

build="${PMTUD_BUILD_DIR:-target}"
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM "$demo_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$demo_pid" 2>/dev/null || true
  fi
  # the JVM removes its namespaces itself; this catches a JVM that was killed
  if [ -n "$demo_pid" ]; then
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^pmtud-${demo_pid}-" || true); do
      ip netns del "$ns" 2>/dev/null || true
    done
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "demo: building pmtud and the lab (mvn -pl pmtud-it -am package -DskipTests, output $build/) ..."
# shellcheck disable=SC2086  # MVN_FLAGS is a word list on purpose
"$mvn" ${MVN_FLAGS:--B} -q -Dpmtud.build.dir="$build" -DskipTests -pl pmtud-it -am package

classes="pmtud-it/$build/test-classes"
cpfile="pmtud-it/$build/test-classpath.txt"
if [ ! -d "$classes" ] || [ ! -s "$cpfile" ]; then
  echo "demo: the build left no $classes or $cpfile; run: mvn -pl pmtud-it -am package -DskipTests" >&2
  exit 1
fi

java -cp "$classes:$(cat "$cpfile")" dev.pmtud.it.EcmpDemo "$@" &
demo_pid=$!
status=0
wait "$demo_pid" || status=$?
exit "$status"
